import nodemailer, { type Transporter } from 'nodemailer';
import type { Ctx } from '../../platform/context.js';

/**
 * Page and hand-off mail. Not ticket mail (no ticket thread, no reply address), so it does not go through the
 * email module's ticket composer: a plain message through the same SMTP relay (SMTP_URL). Without one, like
 * the email module, messages are only recorded ("stored").
 */
export class PageMailer {
  private readonly transport: Transporter | undefined;
  constructor(
    ctx: Ctx,
    private readonly from: () => Promise<string>,
  ) {
    this.transport = ctx.config.outbound.smtpUrl ? nodemailer.createTransport(ctx.config.outbound.smtpUrl) : undefined;
  }

  async send(to: string, subject: string, text: string): Promise<'sent' | 'stored'> {
    if (!this.transport) return 'stored';
    await this.transport.sendMail({
      from: await this.from(),
      to,
      subject: subject.replace(/[\r\n]+/g, ' ').slice(0, 250),
      text,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    });
    return 'sent';
  }

  close(): void {
    this.transport?.close();
  }
}
