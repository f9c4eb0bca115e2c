import nodemailer, { type Transporter } from 'nodemailer';
import type { Ctx } from '../../platform/context.js';

/** `messageId`: the Message-ID to send under, without angle brackets (status mail carries a signed one; see bounces). */
export type StatusMail = { to: string; subject: string; text: string; unsubscribeUrl?: string; messageId?: string };

/**
 * Status-page mail (confirmations and notices). Not ticket mail — no thread, no reply address — so, like the
 * on-call module's page mail, a plain message through the SMTP relay (SMTP_URL), pooled: a notice goes to
 * thousands. Without a relay, messages are only counted as "stored". Every notice carries RFC 8058 one-click
 * unsubscribe headers.
 */
export class StatusMailer {
  private readonly transport: Transporter | undefined;

  constructor(
    ctx: Ctx,
    private readonly from: () => Promise<string>,
  ) {
    const url = ctx.config.outbound.smtpUrl;
    // Pooled (a few connections, many messages each): nodemailer reads the pool options from the URL.
    this.transport = url ? nodemailer.createTransport(`${url}${url.includes('?') ? '&' : '?'}pool=true&maxConnections=4&maxMessages=1000`) : undefined;
  }

  async send(mail: StatusMail): Promise<'sent' | 'stored'> {
    if (!this.transport) return 'stored';
    const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk' };
    if (mail.unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${mail.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    await this.transport.sendMail({ from: await this.from(), to: mail.to, subject: mail.subject.replace(/[\r\n]+/g, ' ').slice(0, 250), text: mail.text, headers, ...(mail.messageId ? { messageId: `<${mail.messageId}>` } : {}) });
    return 'sent';
  }

  close(): void {
    this.transport?.close();
  }
}
