import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { enqueue, type JobContext } from '../../platform/jobs.js';
import type { PeopleService, User } from '../people/people.service.js';
import type { Priority } from '../tickets/settings.service.js';
import { replyParts, ticketRow } from '../tickets/intake.queries.js';
import type { TicketRow } from '../tickets/tickets.queries.js';
import type { AddressesService, EmailAddress } from './addresses.service.js';
import { autoReplyCounters, emailRaw, emailThreadIds, inboundEmails, type OutboundKind, outboundEmails } from './email.schema.js';
import { ReplyTokens } from './identity.js';
import { oneLine, withTicketToken } from './mime.js';
import { readRaw } from './raw.js';
import { EMAIL_DELIVER } from './email.jobs.js';
import { DEFAULT_AUTO_REPLY_BODY, DEFAULT_AUTO_REPLY_SUBJECT, renderTemplate } from '../../platform/templates.js';

export type OutboundEmail = typeof outboundEmails.$inferSelect;

/** A delivery that failed for good (5xx, or out of retries): the caller records it where people will see it. */
export type DeliveryFailure = { outbound: OutboundEmail; error: string };

type Draft = {
  kind: OutboundKind;
  /** The ticket the message is about; absent for mail about none (a sign-in link). */
  ticket?: Pick<TicketRow, 'id' | 'number' | 'subject'>;
  /** Not part of the ticket's conversation: no thread, no ticket token, a reply to it opens no thread. */
  standalone?: boolean;
  address: EmailAddress;
  /**
   * The one recipient. Every message goes to a single address: its Message-ID is then told to that person alone,
   * and proves whom a bounce or a reply by mail is about (see sendReply).
   */
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  files?: { filename: string; contentType: string; sha256: string }[];
  /** Counts against the recipient's auto-reply cap (AUTO_REPLY_MAX_PER_HOUR); not sent when over it. */
  capped?: boolean;
  /** The ticket's thread when the caller knows it (an auto-reply answers just the message that arrived). */
  thread?: { id: string; direction: 'inbound' | 'outbound' }[];
  /** Reply-To other than the address itself: a staff member's own reply address (see ReplyTokens). */
  replyTo?: string;
};

// Keep References bounded: the first message and the most recent ones are what clients thread on.
const MAX_REFERENCES = 20;

/**
 * Everything Lifeline emails: agents' public replies to requester and followers, auto-replies, and agent
 * notifications. Composing writes the full message (raw MIME, stored) and its thread id, and queues delivery, in
 * the caller's transaction; delivery is a job that retries temporary failures and records permanent ones.
 */
export class OutboundService {
  private readonly transport: Transporter | undefined;
  /** Per-recipient reply addresses on mail to staff: a reply to one proves who sent it (see identity.ts). */
  readonly tokens: ReplyTokens;
  onPermanentFailure: (failure: DeliveryFailure) => Promise<void> = async () => {};

  constructor(
    private readonly ctx: Ctx,
    private readonly addresses: AddressesService,
    private readonly people: PeopleService,
  ) {
    this.tokens = new ReplyTokens();
    const { smtpUrl, dkim } = ctx.config.outbound;
    this.transport = smtpUrl
      ? nodemailer.createTransport(smtpUrl, {
          ...(dkim ? { dkim: { domainName: dkim.domain, keySelector: dkim.selector, privateKey: fs.readFileSync(dkim.privateKeyFile, 'utf8') } } : {}),
        })
      : undefined;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  // ---- what gets sent

  /**
   * The acknowledgement for a new ticket from email, from its address's template; at most
   * AUTO_REPLY_MAX_PER_HOUR per recipient in an hour-long window. The counter is an upsert in the statement that
   * stores the reply: its row lock makes concurrent messages from one sender count in turn (counting sent
   * replies instead raced: two messages processed at once both saw 4 and both answered).
   */
  async queueAutoReply(tx: Tx, input: { ticket: TicketRow; address: EmailAddress; requester: User; priority: Priority; inReplyTo: string | null; articles?: { title: string; url: string; language?: string }[] }): Promise<void> {
    const { ticket, address, requester, priority } = input;
    const data = {
      ticket: { number: ticket.number, subject: ticket.subject, id: ticket.id },
      requester: { name: requester.name, first_name: requester.name.split(/\s+/)[0] ?? requester.name, email: requester.email },
      priority: { key: priority.key, name: priority.name, definition: priority.definition, expected_response: priority.expectedResponse },
      address: { name: address.name, address: address.address },
      self_help: address.selfHelpLinks,
      // Public help-centre articles that match the message well (none when nothing does).
      // `language`: set on one in another language than the requester's (the template names it).
      articles: (input.articles ?? []).map((a) => ({ title: a.title, url: a.url, language: a.language ?? '' })),
    };
    // An address's template that fails to render (a render or memory limit) falls back to the default one: an
    // auto-reply must never stop the ticket it acknowledges from being opened.
    const render = (source: string | null, fallback: string) => renderTemplate(source ?? fallback, data).catch(() => renderTemplate(fallback, data));
    const subject = await render(address.autoReplySubject, DEFAULT_AUTO_REPLY_SUBJECT);
    const text = await render(address.autoReplyBody, DEFAULT_AUTO_REPLY_BODY);
    await this.compose(tx, {
      kind: 'auto_reply',
      ticket,
      address,
      to: requester.email,
      subject,
      text,
      autoSubmitted: 'auto-replied',
      capped: true,
      thread: input.inReplyTo ? [{ id: input.inReplyTo, direction: 'inbound' }] : [],
    });
  }

  /** An agent's public reply, to the requester and followers (not to its author). A job: reads and composes. */
  async sendReply(messageId: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const parts = await replyParts(tx, messageId);
      if (!parts) return;
      const { message: m, ticket: t, followerIds, files } = parts;
      if (!m.public || m.direction !== 'outbound') return;
      const [already] = await tx.select({ id: outboundEmails.id }).from(outboundEmails).where(and(eq(outboundEmails.messageId, m.id), eq(outboundEmails.kind, 'reply')));
      if (already) return;
      const people = await this.users(tx, [t.requesterId, ...followerIds]);
      // Everyone gets a message of their own (the requester's first), with its own Message-ID sent to them alone:
      // that Message-ID then proves which recipient a bounce or a reply is about. One message to several would
      // tell each of them a Message-ID that also stands for the others, and any of them could forge a bounce of
      // another's mail with it. Staff copies also carry their own reply address, so their answer by mail can be
      // told from a forged one.
      const recipients = people.filter((p) => p.active && p.id !== m.authorId).sort((a, b) => Number(b.id === t.requesterId) - Number(a.id === t.requesterId));
      const customers = recipients.filter((p) => p.role === 'customer').map((p) => p.email.toLowerCase());
      const staff = recipients.filter((p) => p.role !== 'customer');
      if (customers.length === 0 && staff.length === 0) return;
      const address = await this.ticketAddress(tx, t.id);
      if (!address) return;
      const [author] = m.authorId ? await this.users(tx, [m.authorId]) : [];
      const draft = {
        kind: 'reply' as const,
        ticket: t,
        address,
        subject: `Re: ${t.subject}`,
        text: `${m.bodyText}\n\n-- \n${author?.name ? `${author.name}, ` : ''}${address.name}\nTicket #${t.number}. Reply to this email to answer.`,
        html: `${m.bodyHtml}<p style="color:#666">— ${escapeHtml(author?.name ? `${author.name}, ${address.name}` : address.name)}<br>Ticket #${t.number}. Reply to this email to answer.</p>`,
        messageId: m.id,
        files,
      };
      // The reply was accepted with its attachments × recipients within MAX_REPLY_MAIL_BYTES (addMessage checks);
      // followers added since (a Cc arriving before this job ran) could push it over. Copies past the bound, the
      // last recipients' (the requester's is first), go without the files and say where they are: every recipient
      // still gets the text, and what one reply stores stays bounded.
      const fileBytes = files.reduce((sum, f) => sum + f.size, 0);
      const withFiles = fileBytes > 0 ? Math.max(1, Math.floor(this.ctx.config.maxReplyMailBytes / fileBytes)) : Number.POSITIVE_INFINITY;
      const lean = {
        ...draft,
        files: [],
        text: `${draft.text}\n\n[${files.length} attachment${files.length === 1 ? ' was' : 's were'} left out of this copy, too large to mail to everyone on the ticket: ${files.map((f) => f.filename).join(', ')}. Ask us for them by replying.]`,
        html: `${draft.html}<p style="color:#666">${escapeHtml(`${files.length} attachment${files.length === 1 ? ' was' : 's were'} left out of this copy, too large to mail to everyone on the ticket: ${files.map((f) => f.filename).join(', ')}. Ask us for them by replying.`)}</p>`,
      };
      let copies = 0;
      const copy = () => (copies++ < withFiles ? draft : lean);
      for (const email of customers) await this.compose(tx, { ...copy(), to: email });
      for (const p of staff) {
        await this.compose(tx, { ...copy(), to: p.email, replyTo: await this.tokens.replyAddress(tx, address.address, p.id, t) });
      }
    });
  }

  /** People by id, through the people service (those who no longer exist are left out). */
  private async users(ex: Executor, ids: string[]): Promise<User[]> {
    const out: User[] = [];
    for (const id of new Set(ids)) {
      const u = await this.people.getUser(id, ex).catch(() => undefined);
      if (u) out.push(u);
    }
    return out;
  }

  /** An agent notification: new ticket in a group, assigned to you, requester replied. A job. */
  async sendNotification(input: {
    kind: 'new_ticket' | 'assigned' | 'requester_replied' | 'escalated';
    ticketId: string;
    userId?: string;
    groupId?: string;
    urgency?: string;
    actorId?: string | null;
  }): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const t = await ticketRow(tx, input.ticketId);
      if (!t) return;
      let recipients: { id: string; email: string }[] = [];
      const groupId = input.kind === 'escalated' ? input.groupId : input.kind === 'new_ticket' ? t.groupId : null;
      if (groupId) {
        const members = await this.users(tx, await this.people.memberIds(groupId, tx));
        recipients = members.filter((u) => u.active && (u.role === 'agent' || u.role === 'admin' || u.role === 'light_agent'));
      } else if (input.userId) {
        recipients = (await this.users(tx, [input.userId])).filter((u) => u.active);
      }
      if (input.actorId) {
        const [actor] = await this.users(tx, [input.actorId]);
        recipients = recipients.filter((r) => r.email !== actor?.email);
      }
      if (recipients.length === 0) return;
      const address = await this.addresses.defaultAddress(tx);
      if (!address) return;
      const link = `${this.ctx.config.publicUrl}/tickets/${t.id}`;
      const [requester] = await this.users(tx, [t.requesterId]);
      const who = requester ? `${requester.name} <${requester.email}>` : 'the requester';
      const { subject, text } = {
        new_ticket: { subject: `New ticket: ${t.subject}`, text: `A new ticket from ${who} is waiting in your group.` },
        assigned: { subject: `Assigned to you: ${t.subject}`, text: `Ticket #${t.number} from ${who} is now assigned to you.` },
        requester_replied: { subject: `Requester replied: ${t.subject}`, text: `${who} replied on ticket #${t.number}.` },
        escalated: { subject: `Escalated to your group (${input.urgency ?? 'urgency not given'}): ${t.subject}`, text: `Ticket #${t.number} from ${who} was escalated to your group. The reasons are in its internal note.` },
      }[input.kind];
      // One message per person, each with its own Message-ID and reply address: answering it by mail proves who
      // answers (a message to several would prove only that it was one of them).
      for (const r of recipients) {
        await this.compose(tx, {
          kind: 'notification',
          ticket: t,
          address,
          to: r.email,
          subject,
          text: `${text}\n\n    ${t.subject}\n\nOpen it: ${link}\n`,
          autoSubmitted: 'auto-generated',
          replyTo: await this.tokens.replyAddress(tx, address.address, r.id, t),
        });
      }
    });
  }

  /**
   * An email a rule (trigger or automation) sends, from the ticket's address, threaded on the ticket; one message
   * per recipient (a group's members), so that its Message-ID proves whom it went to (see sendReply).
   */
  async queueRuleEmail(tx: Tx, ticket: TicketRow, to: string[], subject: string, text: string): Promise<void> {
    const address = await this.ticketAddress(tx, ticket.id);
    if (!address) return;
    for (const email of new Set(to.map((a) => a.toLowerCase()))) {
      await this.compose(tx, { kind: 'notification', ticket, address, to: email, subject, text, autoSubmitted: 'auto-generated' });
    }
  }

  /**
   * A message that is not part of a ticket's conversation (a portal sign-in link, a satisfaction survey), from the
   * default address (or the ticket's), kept in the outbox like every other and delivered the same way. Returns
   * false when there is no address to send from.
   */
  async queueStandalone(
    tx: Tx,
    m: { kind: 'sign_in_link' | 'password_reset' | 'survey' | 'digest' | 'notification'; to: string; subject: string; text: string; html?: string; ticket?: Pick<TicketRow, 'id' | 'number' | 'subject'> },
  ): Promise<boolean> {
    const address = m.ticket ? await this.ticketAddress(tx, m.ticket.id) : await this.addresses.defaultAddress(tx);
    if (!address) return false;
    await this.compose(tx, { kind: m.kind, ticket: m.ticket, standalone: true, address, to: m.to, subject: m.subject, text: m.text, html: m.html, autoSubmitted: 'auto-generated' });
    return true;
  }

  /** The address a ticket's conversation runs through: the one its first email came to, else the default. */
  async ticketAddress(ex: Executor, ticketId: string): Promise<EmailAddress | undefined> {
    const [first] = await ex
      .select({ addressId: inboundEmails.addressId })
      .from(inboundEmails)
      .where(and(eq(inboundEmails.ticketId, ticketId), sql`${inboundEmails.addressId} is not null`))
      .orderBy(asc(inboundEmails.receivedAt))
      .limit(1);
    const address = await this.addresses.byId(first?.addressId ?? null, ex);
    return address?.active ? address : this.addresses.defaultAddress(ex);
  }

  // ---- composing and delivery

  private async compose(tx: Tx, d: Draft): Promise<void> {
    const id = randomUUID();
    const to = d.to.toLowerCase();
    const domain = d.address.address.split('@')[1] ?? 'localhost';
    const messageIdHeader = `${id}@${domain}`;
    const ticket = d.standalone ? undefined : d.ticket;
    const thread = !ticket
      ? []
      : d.thread ??
      (await tx
        .select({ id: emailThreadIds.messageIdHeader, direction: emailThreadIds.direction })
        .from(emailThreadIds)
        // A Message-ID of ours is told only to the one person who received that mail: it proves who answers it
        // (a notification) and whose mail a bounce quoting it is about. Quoting it in the References of mail to
        // anyone else would let them answer or bounce as that person; only the recipient's own earlier messages
        // are quoted. Inbound Message-IDs are the senders' own and thread freely.
        .where(
          and(
            eq(emailThreadIds.ticketId, ticket.id),
            sql`(${emailThreadIds.direction} = 'inbound' or exists (
                  select 1 from ${outboundEmails} o
                   where o.message_id_header = ${emailThreadIds.messageIdHeader} and o.kind <> 'notification'
                     and ${to} = any(o.recipients)))`,
          ),
        )
        .orderBy(asc(emailThreadIds.createdAt)));
    const lastInbound = thread.filter((x) => x.direction === 'inbound').at(-1) ?? thread.at(-1);
    const references = thread.length > MAX_REFERENCES ? [thread[0], ...thread.slice(-(MAX_REFERENCES - 1))] : thread;
    const subject = ticket ? withTicketToken(oneLine(d.subject), ticket.number) : oneLine(d.subject);
    const files = await Promise.all((d.files ?? []).map(async (f) => ({ filename: f.filename, contentType: f.contentType, content: await this.ctx.files.readAll(f.sha256) })));
    const composer = new MailComposer({
      from: { name: oneLine(d.address.name, 200), address: d.address.address },
      replyTo: { name: oneLine(d.address.name, 200), address: d.replyTo ?? d.address.address },
      to,
      subject,
      text: d.text,
      html: d.html,
      date: this.ctx.clock.now(),
      messageId: `<${messageIdHeader}>`,
      inReplyTo: lastInbound ? `<${lastInbound.id}>` : undefined,
      references: references.map((r) => `<${(r as { id: string }).id}>`),
      headers: {
        ...(ticket ? { 'X-Lifeline-Ticket': String(ticket.number) } : {}),
        'X-Lifeline-Id': id,
        ...(d.autoSubmitted ? { 'Auto-Submitted': d.autoSubmitted, 'X-Auto-Response-Suppress': 'All' } : {}),
      },
      attachments: files,
    });
    const raw = await composer.compile().build();
    const rawSha256 = sha256(raw);
    const now = this.ctx.clock.now().toISOString();
    // With no SMTP configured the outbox is the destination: stored is delivered, no job needed.
    const [status, transport, attempts, sentAt] = this.transport ? ['queued', null, 0, null] : ['stored', 'outbox', 1, now];
    // The message and its thread id (notifications thread too: an agent answering one by mail lands on the
    // ticket) in one statement.
    // An auto-reply counts against its recipient's hourly cap in the same statement (see takeAutoReplySlot);
    // over the cap, nothing is inserted.
    const counter = d.capped
      ? sql`insert into ${autoReplyCounters} (address, window_start, count) values (${to}, ${now}::timestamptz, 1)
          on conflict (address) do update set
            window_start = case when ${autoReplyCounters.windowStart} <= ${now}::timestamptz - interval '1 hour' then ${now}::timestamptz else ${autoReplyCounters.windowStart} end,
            count = case when ${autoReplyCounters.windowStart} <= ${now}::timestamptz - interval '1 hour' then 1 else ${autoReplyCounters.count} + 1 end
          returning count`
      : sql`select 1 as count`;
    const cap = d.capped ? this.ctx.config.autoReplyMaxPerHour : 1;
    const inserted = rowsOf<{ id: string }>(
      await tx.execute(sql`
        with c as (${counter}),
        r as (insert into ${emailRaw} (sha256, data) select ${rawSha256}, ${raw} where (select count from c) <= ${cap} on conflict do nothing),
        o as (
          insert into ${outboundEmails} (id, kind, ticket_id, message_id, address_id, from_address, recipients, to_address, subject, body_text,
                                         message_id_header, in_reply_to, raw_sha256, status, transport, attempts, created_at, sent_at)
          select ${id}::uuid, ${d.kind}, ${d.ticket?.id ?? null}::uuid, ${d.messageId ?? null}::uuid, ${d.address.id}::uuid, ${d.address.address},
                 array[${to}]::text[], ${to}, ${subject}, ${d.text},
                 ${messageIdHeader}, ${lastInbound?.id ?? null}, ${rawSha256}, ${status}, ${transport}, ${attempts}, ${now}::timestamptz, ${sentAt}::timestamptz
          where (select count from c) <= ${cap}
          returning id),
        t as (
          insert into ${emailThreadIds} (message_id_header, ticket_id, direction, created_at)
          select ${messageIdHeader}, ${ticket?.id ?? null}::uuid, 'outbound', ${now}::timestamptz from o where ${ticket?.id ?? null}::uuid is not null
          on conflict do nothing)
        select id from o`),
    );
    if (inserted.length === 0) return;
    if (this.transport) await enqueue(tx, this.ctx.clock, EMAIL_DELIVER, { id }, { key: `email.deliver:${id}`, maxAttempts: 10 });
  }

  /**
   * Sends one stored message. Outbox mode keeps it (status `stored`). SMTP: 5xx is permanent (recorded, never
   * retried); 4xx and network errors throw, so the job retries with backoff until its attempts run out.
   */
  async deliver(id: string, job: JobContext): Promise<void> {
    const [row] = await this.ctx.db.select().from(outboundEmails).where(eq(outboundEmails.id, id));
    if (row?.status !== 'queued') return;
    const now = this.ctx.clock.now();
    if (!this.transport) {
      // Queued while SMTP was configured, and the process restarted without it: keep it in the outbox.
      await this.ctx.db.update(outboundEmails).set({ status: 'stored', transport: 'outbox', attempts: row.attempts + 1, sentAt: now }).where(eq(outboundEmails.id, id));
      return;
    }
    try {
      const raw = await readRaw(this.ctx.db, row.rawSha256);
      await this.transport.sendMail({ envelope: { from: row.fromAddress, to: row.recipients }, raw });
      await this.ctx.db.update(outboundEmails).set({ status: 'sent', transport: 'smtp', attempts: row.attempts + 1, sentAt: now, error: null }).where(eq(outboundEmails.id, id));
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const message = `${code ? `${code} ` : ''}${(err as Error).message}`.slice(0, 1000);
      const permanent = (code !== undefined && code >= 500) || job.attempt >= job.maxAttempts;
      const [updated] = await this.ctx.db
        .update(outboundEmails)
        .set({ attempts: row.attempts + 1, error: message, transport: 'smtp', ...(permanent ? { status: 'failed' as const } : {}) })
        .where(eq(outboundEmails.id, id))
        .returning();
      if (!permanent) throw err;
      await this.onPermanentFailure({ outbound: updated as OutboundEmail, error: message });
    }
  }

  /** Marks a sent message failed after the fact (a bounce came back for it). */
  async markBounced(tx: Tx, id: string, reason: string): Promise<void> {
    await tx.update(outboundEmails).set({ status: 'failed', error: `bounced: ${reason}`.slice(0, 1000) }).where(eq(outboundEmails.id, id));
  }

  async findByMessageIds(ex: Executor, ids: string[]): Promise<OutboundEmail[]> {
    if (ids.length === 0) return [];
    return ex.select().from(outboundEmails).where(inArray(outboundEmails.messageIdHeader, ids.slice(0, 200)));
  }

  // ---- the outbox, as admins read it

  async list(opts: { limit: number; before?: { createdAt: Date; id: string }; ticketId?: string; status?: string }): Promise<OutboundEmail[]> {
    const conditions = [
      opts.ticketId ? eq(outboundEmails.ticketId, opts.ticketId) : undefined,
      opts.status ? eq(outboundEmails.status, opts.status as OutboundEmail['status']) : undefined,
      opts.before
        ? or(lt(outboundEmails.createdAt, opts.before.createdAt), and(eq(outboundEmails.createdAt, opts.before.createdAt), lt(outboundEmails.id, opts.before.id)))
        : undefined,
    ].filter(Boolean);
    return this.ctx.db
      .select()
      .from(outboundEmails)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(outboundEmails.createdAt), desc(outboundEmails.id))
      .limit(opts.limit);
  }

  async get(id: string): Promise<OutboundEmail> {
    const [row] = await this.ctx.db.select().from(outboundEmails).where(eq(outboundEmails.id, id));
    if (!row) throw new AppError('NOT_FOUND', `No outgoing email with id ${id}`);
    return row;
  }

  close(): void {
    this.transport?.close();
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
