import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import EmailReplyParser from 'email-reply-parser';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { ZodError } from 'zod';
import { rowsOf, type Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { htmlToText, sanitizeEmailHtml } from '../../platform/html.js';
import { completeJobSql, enqueue, type JobContext, WAKE_CHANNEL } from '../../platform/jobs.js';
import { jobs } from '../../platform/platform.schema.js';
import type { PeopleService, User } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { firstTakingPart, type Participant, ticketNumberFor, ticketRef } from '../tickets/intake.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import type { IntakeService } from '../channels/intake.service.js';
import type { AddressesService, EmailAddress } from './addresses.service.js';
import { detectBounce } from './bounces.js';
import { bouncingRecipients, emailRaw, emailThreadIds, inboundEmails, outboundEmails } from './email.schema.js';
import { authResults, type ReplyToken, replyTokensIn } from './identity.js';
import { cleanAddress, type HeaderMap, header, isAutoReply, isAutoSubmitted, isBulk, isNoReplySender, messageIds, oneLine, readHeaders, ticketToken } from './mime.js';
import type { OutboundService } from './outbound.service.js';
import { readRaw } from './raw.js';

export type InboundEmail = typeof inboundEmails.$inferSelect;
export type Delivery = { source: 'smtp' | 'imap' | 'http'; envelopeFrom?: string | null; envelopeTo: string[]; mailboxId?: string; addressId?: string };
export type Accepted = { id: string; duplicate: boolean };

export const INBOUND_JOB = 'email.inbound';

// A body beyond this is cut (the whole message stays in the raw source); recipients beyond this are not followers.
const MAX_BODY_CHARS = 200_000;
const MAX_FOLLOWERS = 50;
// How often a reply waits for the message it answers before it is processed on its own.
const MAX_DEFERRALS = 50;

const replyParser = new EmailReplyParser();

/**
 * Inbound mail, from any of the three doors (SMTP listener, IMAP poller, HTTP endpoint), in two steps:
 * `accept` stores the raw message durably and queues it (the caller may then say "accepted"); `process`, a
 * job, turns it into a ticket, a reply, a note or a bounce record. Processing is idempotent, and a message that
 * cannot be processed stays visible as failed, with its error, until an admin retries it.
 */
/**
 * The knowledge base's public articles for a new email (subject, text) in the requester's language where the message
 * says it (`locale`): what the auto-reply lists. `language` names the language of one in another language than asked.
 */
export type ArticlesForMail = { forMail(subject: string, body: string, locale?: string | null): Promise<{ title: string; url: string; language?: string }[]> };

/**
 * The language a message's sender reads, where the mail says it: the first of Accept-Language (their mail program's
 * language, which Outlook sends), else Content-Language (the message's). Null when neither is there.
 */
export function requesterLanguage(headers: HeaderMap): string | null {
  for (const name of ['accept-language', 'content-language']) {
    const first = header(headers, name)?.split(',')[0]?.split(';')[0]?.trim();
    if (first) return first.slice(0, 40);
  }
  return null;
}

/**
 * What another module hooks onto a recognised bounce (status-page subscribers stop mail to the address): called
 * inside the transaction that records it, with the failed addresses; `permanent` is false for a 4.x.x status.
 */
export type BounceListener = (tx: Tx, bounce: { emails: string[]; reason: string; permanent: boolean; quotedIds: string[] }) => Promise<void>;

export class InboundService {
  private readonly bounceListeners: BounceListener[] = [];

  /** Hooks onto every recognised bounce (not delay notices). */
  onBounce(listener: BounceListener): void {
    this.bounceListeners.push(listener);
  }

  constructor(
    private readonly ctx: Ctx,
    private readonly addresses: AddressesService,
    private readonly people: PeopleService,
    private readonly settings: TicketSettingsService,
    private readonly tickets: TicketsService,
    private readonly outbound: OutboundService,
    private readonly intake: IntakeService,
    private readonly articles: ArticlesForMail = { forMail: async () => [] },
  ) {}

  // ---- step 1: store

  /** Which served address a delivery is for: the mailbox's, else the first served envelope or header recipient. */
  async addressFor(delivery: Delivery, headers: HeaderMap): Promise<EmailAddress | undefined> {
    if (delivery.addressId) return this.addresses.byId(delivery.addressId);
    const candidates = [...delivery.envelopeTo];
    if (delivery.source === 'http' && candidates.length === 0) {
      for (const name of ['delivered-to', 'x-original-to', 'to', 'cc']) {
        for (const value of headers.get(name) ?? []) candidates.push(...addressesIn(value));
      }
    }
    for (const c of candidates) {
      const served = await this.addresses.served(c);
      if (served) return served;
    }
    return undefined;
  }

  async accept(raw: Buffer, delivery: Delivery): Promise<Accepted> {
    if (raw.length === 0) throw new AppError('INVALID_EMAIL', 'The message is empty (0 bytes)');
    const headers = readHeaders(raw);
    const address = await this.addressFor(delivery, headers);
    if (!address) {
      throw new AppError('ADDRESS_NOT_SERVED', `None of the recipients is an address Lifeline serves (${delivery.envelopeTo.join(', ') || 'none given'})`);
    }
    const messageId = messageIds(header(headers, 'message-id'))[0];
    const rawSha256 = sha256(raw);
    const fromAddress = addressesIn(header(headers, 'from') ?? '')[0] ?? null;
    // The same message twice (a redelivery, or one message through two doors) is stored once. A Message-ID is
    // only the sender's word: another message reusing it (another sender, other content) is its own message.
    const dedupeKey = messageId
      ? `${address.id}:mid:${sha256(`${messageId}\n${fromAddress ?? delivery.envelopeFrom ?? ''}\n${bodySha256(raw)}`)}`
      : `${address.id}:sha:${rawSha256}`;
    // The row and its processing job in one statement (atomic without a transaction, one round trip): the
    // caller answers "accepted" right after, so this is the SMTP listener's latency.
    const now = this.ctx.clock.now().toISOString();
    const inserted = rowsOf<{ id: string }>(
      await this.ctx.db.execute(sql`
        with r as (insert into ${emailRaw} (sha256, data) values (${rawSha256}, ${raw}) on conflict do nothing),
        i as (
          insert into ${inboundEmails} (source, mailbox_id, address_id, envelope_from, envelope_to, raw_sha256, size, message_id_header, from_address, dedupe_key, received_at)
          values (${delivery.source}, ${delivery.mailboxId ?? null}::uuid, ${address.id}::uuid, ${delivery.envelopeFrom ?? null},
                  array(select jsonb_array_elements_text(${JSON.stringify(delivery.envelopeTo.map((a) => a.toLowerCase()))}::jsonb)),
                  ${rawSha256}, ${raw.length}, ${messageId ?? null}, ${fromAddress}, ${dedupeKey}, ${now}::timestamptz)
          on conflict (dedupe_key) do nothing
          returning id),
        j as (
          insert into ${jobs} (kind, payload, key, run_at, max_attempts, created_at)
          select ${INBOUND_JOB}, jsonb_build_object('id', i.id), ${`${INBOUND_JOB}:`} || i.id, ${now}::timestamptz, 5, ${now}::timestamptz from i
          returning id),
        n as (select pg_notify(${WAKE_CHANNEL}, '') from j)
        select i.id, (select count(*) from n) as notified from i`),
    );
    if (inserted[0]) return { id: inserted[0].id, duplicate: false };
    const [existing] = await this.ctx.db.select({ id: inboundEmails.id }).from(inboundEmails).where(eq(inboundEmails.dedupeKey, dedupeKey));
    if (!existing) throw new Error('inbound email neither inserted nor found');
    return { id: existing.id, duplicate: true };
  }

  // ---- step 2: process

  /**
   * Processes one stored message. `job` (from the job runner) lets the message's transaction also mark its job
   * done, so the two commit together.
   */
  async process(id: string, deferrals = 0, job?: Pick<JobContext, 'jobId' | 'completeWithin' | 'markCompleted'>): Promise<void> {
    try {
      // The row and its source in one read.
      const [found] = await this.ctx.db
        .select({ row: inboundEmails, data: emailRaw.data })
        .from(inboundEmails)
        .leftJoin(emailRaw, eq(emailRaw.sha256, inboundEmails.rawSha256))
        .where(eq(inboundEmails.id, id));
      if (!found || found.row.status === 'processed' || found.row.status === 'ignored') return;
      if (!found.data) throw new Error(`the source of inbound email ${id} is missing`);
      const row: Run = { ...found.row, job };
      const raw = Buffer.from(found.data);
      if (deferrals < MAX_DEFERRALS && (await this.waitsForEarlier(row, readHeaders(raw)))) {
        await enqueue(this.ctx.db, this.ctx.clock, { kind: INBOUND_JOB, payload: { id, deferrals: deferrals + 1 }, key: `${INBOUND_JOB}:${id}:defer:${deferrals + 1}`, maxAttempts: 5 });
        return;
      }
      const parsed = await simpleParser(raw, { keepCidLinks: true, skipTextLinks: true, skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
      await this.handle(row, raw, parsed);
    } catch (err) {
      const message = err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') : (err as Error).message;
      const permanent = err instanceof AppError || err instanceof ZodError;
      await this.ctx.db.transaction(async (tx) => {
        await tx
          .update(inboundEmails)
          .set({ status: 'failed', error: pgText(message.slice(0, 2000)), attempts: sql`${inboundEmails.attempts} + 1` })
          .where(and(eq(inboundEmails.id, id), inArray(inboundEmails.status, ['received', 'failed'])));
        // Its own transaction rolled back, job completion included; a permanent failure completes the job here.
        if (permanent) await job?.completeWithin(tx);
      });
      // A message that cannot become a ticket stays failed until retried; anything else (the database, the
      // disk) may pass on the job's next attempt.
      if (!permanent) throw err;
    }
  }

  /**
   * Messages are processed several at a time, so a reply can reach the worker before the message it answers
   * (sent seconds apart, stored in order). If it references one that is stored but not yet processed, it waits
   * its turn: its job is queued again behind it, instead of opening a second ticket for one conversation.
   */
  private async waitsForEarlier(row: InboundEmail, headers: HeaderMap): Promise<boolean> {
    const refs = [...messageIds(header(headers, 'in-reply-to')), ...messageIds(headers.get('references'))].slice(-100);
    if (refs.length === 0) return false;
    const [pending] = await this.ctx.db
      .select({ id: inboundEmails.id })
      .from(inboundEmails)
      .where(and(inArray(inboundEmails.messageIdHeader, refs), eq(inboundEmails.status, 'received'), sql`${inboundEmails.id} <> ${row.id}`))
      .limit(1);
    return !!pending;
  }

  private async handle(row: Run, raw: Buffer, parsed: ParsedMail): Promise<void> {
    const headers = readHeaders(raw);
    const address = (await this.addresses.byId(row.addressId)) ?? (await this.addresses.defaultAddress());
    if (!address) throw new AppError('ADDRESS_NOT_SERVED', 'The address this message came to is no longer configured');
    const from = firstAddress(parsed.from);
    const senderEmail = cleanAddress(from?.address) ?? cleanAddress(firstAddress(parsed.replyTo)?.address) ?? cleanAddress(row.envelopeFrom);
    const subject = oneLine(parsed.subject ?? '', 500) || '(no subject)';
    const facts = { subject, fromAddress: senderEmail ?? null };

    // Our own mail coming back (support@ copied on its own reply) or mail from one of our addresses: a loop.
    if (headers.has('x-lifeline-id') && (await this.outbound.findByMessageIds(this.ctx.db, messageIds(header(headers, 'message-id')))).length > 0) {
      return this.finish(row, { ...facts, status: 'ignored', outcome: 'own outgoing message' });
    }
    if (senderEmail && (await this.addresses.served(senderEmail))) {
      return this.finish(row, { ...facts, status: 'ignored', outcome: 'sent from a support address (mail loop)' });
    }

    const bounce = detectBounce(raw, headers, senderEmail, row.envelopeFrom, subject);
    if (bounce) return this.handleBounce(row, facts, { ...bounce, reason: pgText(bounce.reason) });

    if (!senderEmail) throw new AppError('INVALID_EMAIL', 'The message names no sender: no usable From, Reply-To or envelope sender');
    const automatic = isAutoReply(headers, subject);
    // The sender by contact identity: after a merge, mail from the merged-away address finds the survivor.
    const known = await this.intake.findPerson({ kind: 'email', value: senderEmail });
    const tokens = replyTokensIn(recipientAddresses(row, headers));
    const threadTicketId = await this.findThread(headers, subject, known, tokens);
    if (!threadTicketId && automatic) {
      return this.finish(row, { ...facts, status: 'ignored', outcome: 'automatic reply that matches no ticket' });
    }
    const identity = await this.identify(headers, senderEmail, known, threadTicketId, tokens);
    if (!identity.verified && this.ctx.config.mail.unverifiedSender === 'refuse') {
      return this.finish(row, { ...facts, status: 'ignored', outcome: `refused: unverified sender (${identity.why})`.slice(0, 500) });
    }

    const sender = known ?? (await this.people.findOrCreateCustomer({ email: senderEmail, name: oneLine(from?.name ?? '', 200) || undefined }));
    // The sender's access as the API would see it (group-restricted agents with their groups): proving who sent a
    // message says nothing of what they may do, which receiveMessage checks on the ticket it lands on.
    const actor = await this.people.actorFor(sender);
    // Only a verified sender brings people in; a light agent's mail is a note, which has no followers.
    const followerIds = identity.verified && sender.role !== 'light_agent' ? await this.recipientsAsPeople(parsed, senderEmail) : [];
    const { attachmentIds, cids, skipped } = await this.storeAttachments(parsed, actor);
    const note = skipped.length ? `\n\n[Not attached, over the size limit: ${skipped.join(', ')}. They are in the original message.]` : '';
    // The hand-over to the intake pipeline: everything email-specific (loops, bounces, auto-replies, threading by
    // References and reply tokens, staff verification) is decided above; the pipeline dedupes, writes and records.
    const handover = {
      channel: 'email' as const,
      connectionId: row.mailboxId,
      dedupeScope: 'channel' as const,
      identity: { kind: 'email' as const, value: senderEmail, displayName: oneLine(from?.name ?? '', 200) || undefined },
      externalId: row.messageIdHeader ?? `sha256:${row.rawSha256}`,
      dedupeKey: row.dedupeKey,
      subject,
      attachmentIds,
    };
    const senderUnverified = (w: { authorRefused: boolean }) => !identity.verified || w.authorRefused;

    if (threadTicketId) {
      const text = pgText(clip(visibleReply(parsed)) + note);
      // Staff mail is a public reply only when its sender is verified, and never a light agent's (item: light
      // agents reply publicly nowhere); anything else lands as an internal note, flagged when unverified.
      const asNote = automatic || !identity.verified || sender.role === 'light_agent';
      await this.intake.receive(
        { ...handover, body: text || '(empty reply)', format: 'text' },
        {
          person: sender,
          ticketId: threadTicketId,
          // A verified agent who may not change the ticket (outside their groups, escalated away and read-only)
          // is treated as unverified: a flagged note, no followers, nothing mailed.
          reply: { note: asNote, followerIds: asNote ? [] : followerIds, authorMustChange: identity.verified },
          senderUnverified,
          within: async ({ tx, ticket, messageId, followUp, authorRefused: refused }) => {
            const outcome = refused
              ? 'note (sender may not change this ticket)'
              : asNote
                ? identity.verified
                  ? 'note'
                  : 'note (unverified sender)'
                : followUp
                  ? 'follow_up'
                  : 'reply';
            await this.markProcessed(tx, row, {
              ...facts,
              status: 'processed',
              outcome,
              ticketId: ticket.id,
              messageId,
              sender: senderEmail,
              unverified: !identity.verified || refused,
            });
          },
        },
      );
      return;
    }

    const html = parsed.html ? pgText(sanitizeEmailHtml(replaceCids(parsed.html, cids))) : undefined;
    const text = pgText((parsed.text ?? (parsed.html ? htmlToText(parsed.html) : '')).trim());
    const priority = await this.settings.resolvePriority(address.priority ?? undefined).catch(() => this.settings.resolvePriority(undefined));
    const mayAutoReply =
      address.autoReply &&
      identity.verified &&
      !isAutoSubmitted(headers) &&
      !isBulk(headers) &&
      !isNoReplySender(senderEmail) &&
      !headers.has('x-lifeline-id') &&
      (row.envelopeFrom === null || row.envelopeFrom !== '');
    // Help-centre articles for the auto-reply, looked up before the ticket's transaction (embedded PGlite has one
    // connection); a failed lookup only leaves them out.
    const articles = mayAutoReply ? await this.articles.forMail(subject, text, requesterLanguage(headers)).catch(() => []) : [];
    await this.intake.receive(
      {
        ...handover,
        body: html ? clip(html) + (note ? `<p>${note}</p>` : '') : clip(text) + note || '(empty message)',
        format: html ? 'html' : 'text',
      },
      {
        person: sender,
        // The address's group, else the default address's (the desk's default group), so it never sinks ungrouped.
        newTicket: { groupId: address.groupId ?? (await this.addresses.defaultAddress())?.groupId ?? null, type: address.type ?? undefined, priority: priority.key, followerIds },
        senderUnverified,
        within: async ({ tx, ticket, messageId }) => {
          const outcome = identity.verified ? 'new_ticket' : 'new_ticket (unverified sender)';
          await this.markProcessed(tx, row, {
            ...facts,
            status: 'processed',
            outcome,
            ticketId: ticket.id,
            messageId,
            sender: senderEmail,
            unverified: !identity.verified,
          });
          if (mayAutoReply) {
            await this.outbound.queueAutoReply(tx, { ticket, address, requester: sender, priority, inReplyTo: row.messageIdHeader, articles });
          }
        },
      },
    );
  }

  /**
   * The ticket a message continues: one whose Message-IDs (received or sent) it names in In-Reply-To or
   * References; else the one a reply token of the sender's names; else the one whose token `[#1234]` is in the
   * subject, if the sender takes part in it (requester, follower) or is staff. A customer (or unknown) sender's
   * In-Reply-To/References count only on a ticket they take part in (requester, follower, or of their
   * organisation when it shares tickets): a Message-ID is only someone's word, and anyone can name one. Whether
   * staff mail is a public reply, and whether its sender may change the ticket, is decided after: finding the
   * ticket proves nothing.
   */
  private async findThread(headers: HeaderMap, subject: string, known: User | undefined, tokens: ReplyToken[]): Promise<string | undefined> {
    const refs = referencedIds(headers);
    const staff = known !== undefined && known.role !== 'customer';
    const who = known ? await this.participant(known) : undefined;
    if (refs.length && (staff || who)) {
      const hits = await this.ctx.db
        .select({ ticketId: emailThreadIds.ticketId })
        .from(emailThreadIds)
        .where(inArray(emailThreadIds.messageIdHeader, refs))
        .orderBy(desc(emailThreadIds.createdAt));
      const ids = [...new Set(hits.map((h) => h.ticketId))];
      const hit = staff ? ids[0] : await firstTakingPart(this.ctx.db, ids, who as Participant);
      if (hit) return hit;
    }
    if (known && known.role !== 'customer') {
      for (const token of tokens) {
        const t = await ticketRef(this.ctx.db, { number: token.number });
        if (t && (await this.outbound.tokens.verify(this.ctx.db, token, known.id, t))) return t.id;
      }
    }
    const number = ticketToken(subject);
    if (number === undefined) return undefined;
    return ticketNumberFor(this.ctx.db, number, who, staff && known?.active === true);
  }

  /** The sender as a participant: their tickets, followed tickets, and their organisation's when it shares them. */
  private async participant(user: User): Promise<Participant> {
    const org = user.organizationId ? await this.people.getOrganization(user.organizationId).catch(() => undefined) : undefined;
    return { userId: user.id, sharedOrganizationId: org?.sharedTickets ? org.id : null };
  }

  /**
   * Whether the sender is who the From: header says. Customers are taken at their word (their mail only ever
   * reaches their own tickets) unless the receiving MTA says DMARC failed. Staff must prove it, for the ticket the
   * message lands on: a reply to a notification Lifeline sent to them alone (its Message-ID in In-Reply-To or
   * References), their reply token for that ticket, or DMARC passing as the operator's MTA stamped it.
   */
  private async identify(headers: HeaderMap, senderEmail: string, known: User | undefined, ticketId: string | undefined, tokens: ReplyToken[]): Promise<{ verified: boolean; why: string }> {
    const auth = authResults(headers, this.ctx.config.mail.trustedAuthservId, senderEmail);
    if (auth.failed) return { verified: false, why: 'the receiving server reports that DMARC (or SPF and DKIM) failed' };
    if (known && !known.active) return { verified: false, why: `the ${known.role === 'customer' ? 'customer' : 'staff'} account is deactivated` };
    if (!known || known.role === 'customer') return { verified: true, why: 'customer' };
    if (auth.dmarcPass) return { verified: true, why: 'DMARC passed' };
    if (!ticketId) return { verified: false, why: 'staff address, not a reply to mail Lifeline sent them' };
    const refs = referencedIds(headers);
    if (refs.length) {
      const [sent] = await this.ctx.db
        .select({ id: outboundEmails.id })
        .from(outboundEmails)
        .where(
          and(
            inArray(outboundEmails.messageIdHeader, refs),
            eq(outboundEmails.ticketId, ticketId),
            eq(outboundEmails.kind, 'notification'),
            sql`${outboundEmails.recipients} = array[${senderEmail}]::text[]`,
          ),
        )
        .limit(1);
      if (sent) return { verified: true, why: 'reply to a notification sent to them' };
    }
    const t = await ticketRef(this.ctx.db, { id: ticketId });
    for (const token of tokens) {
      if (t && (await this.outbound.tokens.verify(this.ctx.db, token, known.id, t))) return { verified: true, why: 'reply token' };
    }
    return { verified: false, why: 'staff address, not a reply to mail Lifeline sent them' };
  }

  /** To and Cc people other than the sender and Lifeline's own addresses: they follow the ticket. */
  private async recipientsAsPeople(parsed: ParsedMail, sender: string): Promise<string[]> {
    const emails = new Set<string>();
    for (const list of [parsed.to, parsed.cc]) {
      for (const obj of Array.isArray(list) ? list : list ? [list] : []) {
        for (const v of obj.value) {
          const a = cleanAddress(v.address);
          if (a && a !== sender && !(await this.addresses.served(a))) emails.add(a);
        }
      }
    }
    const ids: string[] = [];
    for (const email of [...emails].slice(0, MAX_FOLLOWERS)) {
      try {
        ids.push((await this.people.findOrCreateCustomer({ email })).id);
      } catch {
        // An address the user model refuses (no TLD, too long) is left out, not the whole message.
      }
    }
    return ids;
  }

  private async storeAttachments(parsed: ParsedMail, actor: Actor): Promise<{ attachmentIds: string[]; cids: Map<string, string>; skipped: string[] }> {
    const attachmentIds: string[] = [];
    const cids = new Map<string, string>();
    const skipped: string[] = [];
    for (const [i, a] of parsed.attachments.entries()) {
      const filename = pgText(a.filename ?? (a.contentType === 'message/rfc822' ? `message-${i + 1}.eml` : `attachment-${i + 1}`));
      if (a.size > this.ctx.config.maxAttachmentBytes) {
        skipped.push(filename);
        continue;
      }
      const row = await this.tickets.upload(actor, { filename, contentType: a.contentType || 'application/octet-stream', data: a.content });
      attachmentIds.push(row.id);
      if (a.cid) cids.set(a.cid.replace(/^<|>$/g, ''), row.id);
    }
    return { attachmentIds, cids, skipped };
  }

  /**
   * A bounce marks an address bouncing only when it quotes the Message-ID of mail Lifeline sent to that address:
   * anyone can send support@ a "bounce" naming anyone (X-Failed-Recipients: victim@…), but only a report about our
   * mail carries that mail's Message-ID, and only its recipients can have bounced it. Named addresses the quoted
   * mail did not go to are left out (the outcome says so), and a bounce naming only those marks nothing; one naming
   * nobody falls back on the quoted mail. Only mail sent to one address alone proves anything: every message is sent
   * so now, but a message that went to several (before that) told each of them a Message-ID that stands for the
   * others too, so any of them could forge a bounce of another's mail with it.
   */
  private async handleBounce(row: Run, facts: { subject: string; fromAddress: string | null }, bounce: ReturnType<typeof detectBounce> & object): Promise<void> {
    if (bounce.delayed) return this.finish(row, { ...facts, status: 'ignored', outcome: 'delivery delay notice' });
    const quoted = (await this.outbound.findByMessageIds(this.ctx.db, bounce.quotedIds)).filter((o) => o.recipients.length === 1);
    const named = new Set(bounce.recipients);
    if (named.size === 0 && quoted.length > 0) {
      const text = (await this.raw(row.rawSha256)).subarray(0, 512 * 1024).toString('latin1').toLowerCase();
      for (const o of quoted) for (const r of o.recipients) if (text.includes(r)) named.add(r);
    }
    const sentTo = (o: (typeof quoted)[number], address: string) => o.recipients.some((r) => r.toLowerCase() === address);
    const failed = [...named].filter((a) => quoted.some((o) => sentTo(o, a)));
    const unproven = [...named].filter((a) => !failed.includes(a));
    // The mail that bounced: the quoted one sent to a failed address (or, naming nobody, the quoted one). Naming
    // only others, it bounced none of ours; listeners still hear it (status mail is not in the outbox: its signed
    // Message-ID is checked there).
    const original = failed.length ? quoted.find((o) => failed.some((a) => sentTo(o, a))) : named.size ? undefined : quoted[0];
    const mark = async (tx: Tx) => {
      for (const email of failed) {
        const u = await this.people.findUserByEmail(email, tx);
        await tx
          .insert(bouncingRecipients)
          .values({ email, userId: u?.id ?? null, reason: bounce.reason.slice(0, 1000), bouncedAt: this.ctx.clock.now() })
          .onConflictDoUpdate({ target: bouncingRecipients.email, set: { reason: bounce.reason.slice(0, 1000), bouncedAt: this.ctx.clock.now() } });
      }
      if (original) await this.outbound.markBounced(tx, original.id, bounce.reason);
      // A 4.x.x status is a temporary failure (a full mailbox): listeners count those rather than stop at once.
      const permanent = !/^4\.\d{1,3}\.\d{1,3}\b/.test(bounce.reason);
      for (const listener of this.bounceListeners) await listener(tx, { emails: failed, reason: bounce.reason, permanent, quotedIds: bounce.quotedIds });
    };
    const outcome = `bounce${failed.length ? ` for ${failed.join(', ')}` : ''}${unproven.length ? ` (not recorded, no mail of ours to them quoted: ${unproven.join(', ')})` : ''}`.slice(0, 500);
    if (!original?.ticketId) {
      await this.ctx.db.transaction(async (tx) => {
        await mark(tx);
        await this.markProcessed(tx, row, { ...facts, status: 'processed', outcome });
      });
      return;
    }
    const who = failed.length ? failed.join(', ') : original.recipients.join(', ');
    const ticketId = original.ticketId;
    await this.ctx.db.transaction(async (tx) => {
      const added = await this.tickets.receiveMessage(
        null,
        ticketId,
        { body: `Email to ${who} bounced (“${original.subject}”): ${bounce.reason}`, format: 'text', attachmentIds: [], note: true, channel: 'email' },
        { tx },
      );
      await mark(tx);
      await this.markProcessed(tx, row, { ...facts, status: 'processed', outcome, ticketId: added.ticket.id, messageId: added.messageId });
    });
  }

  private async finish(row: Run, result: Outcome): Promise<void> {
    await this.ctx.db.transaction((tx) => this.markProcessed(tx, row, result));
  }

  /**
   * Marks the message done inside the transaction that did its work; a second, concurrent run finds it done
   * and rolls back. With a ticket, the message's Message-ID joins that ticket's thread, and a sender who wrote
   * in is no longer bouncing. One statement.
   */
  private async markProcessed(tx: Tx, row: Run, r: Outcome): Promise<void> {
    const now = this.ctx.clock.now().toISOString();
    const ticketId = r.ticketId ?? null;
    const done = rowsOf<{ id: string }>(
      await tx.execute(sql`
        with thread as (
          insert into ${emailThreadIds} (message_id_header, ticket_id, direction, created_at)
          select ${row.messageIdHeader}, ${ticketId}::uuid, 'inbound', ${now}::timestamptz
          where ${row.messageIdHeader}::text is not null and ${ticketId}::uuid is not null and ${r.unverified !== true}::boolean
          on conflict do nothing),
        works as (delete from ${bouncingRecipients} where email = ${r.sender ?? null}),
        job as (${row.job ? completeJobSql(row.job.jobId, this.ctx.clock.now()) : sql`select 1`})
        update ${inboundEmails}
        set status = ${r.status}, outcome = ${r.outcome}, subject = ${r.subject}, from_address = ${r.fromAddress}, ticket_id = ${ticketId}::uuid,
            message_id = ${r.messageId ?? null}::uuid, error = null, attempts = attempts + 1, processed_at = ${now}::timestamptz
        where id = ${row.id} and status in ('received', 'failed')
        returning id`),
    );
    if (done.length === 0) throw new Error(`inbound email ${row.id} was already processed`);
    row.job?.markCompleted();
  }

  /** A stored message's source, by its content hash (inbound and outbound alike). */
  raw(hash: string): Promise<Buffer> {
    return readRaw(this.ctx.db, hash);
  }

  // ---- admin

  async list(opts: { status?: string; limit: number; before?: { receivedAt: Date; id: string } }): Promise<InboundEmail[]> {
    const conditions = [
      opts.status ? eq(inboundEmails.status, opts.status as InboundEmail['status']) : undefined,
      opts.before
        ? or(lt(inboundEmails.receivedAt, opts.before.receivedAt), and(eq(inboundEmails.receivedAt, opts.before.receivedAt), lt(inboundEmails.id, opts.before.id)))
        : undefined,
    ].filter(Boolean);
    return this.ctx.db
      .select()
      .from(inboundEmails)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(inboundEmails.receivedAt), desc(inboundEmails.id))
      .limit(opts.limit);
  }

  async get(id: string): Promise<InboundEmail> {
    const [row] = await this.ctx.db.select().from(inboundEmails).where(eq(inboundEmails.id, id));
    if (!row) throw new AppError('NOT_FOUND', `No inbound email with id ${id}`);
    return row;
  }

  /** The inbound email a conversation message came from, for its raw source. */
  async forMessage(messageId: string): Promise<InboundEmail | undefined> {
    const [row] = await this.ctx.db.select().from(inboundEmails).where(eq(inboundEmails.messageId, messageId)).limit(1);
    return row;
  }

  /** Recipients whose mail bounced, newest first. */
  listBouncing() {
    return this.ctx.db.select().from(bouncingRecipients).orderBy(desc(bouncingRecipients.bouncedAt)).limit(1000);
  }

  async retry(id: string): Promise<InboundEmail> {
    const row = await this.get(id);
    if (row.status !== 'failed') throw new AppError('NOT_RETRYABLE', `Only failed messages can be retried; this one is ${row.status}`);
    await this.ctx.db.transaction(async (tx) => {
      await tx.update(inboundEmails).set({ status: 'received' }).where(eq(inboundEmails.id, id));
      await enqueue(tx, this.ctx.clock, { kind: INBOUND_JOB, payload: { id }, key: `${INBOUND_JOB}:${id}:retry:${row.attempts}`, maxAttempts: 5 });
    });
    return this.get(id);
  }
}

/** A message being processed, with its job: the transaction that does the work also marks the job done. */
type Run = InboundEmail & { job?: Pick<JobContext, 'jobId' | 'markCompleted'> };

type Outcome = {
  status: 'processed' | 'ignored';
  outcome: string;
  subject: string;
  fromAddress: string | null;
  ticketId?: string | null;
  messageId?: string | null;
  /** The sender, when the message proved their address works. */
  sender?: string;
  /** It landed unverified: its Message-ID does not join the ticket's thread (no one could name it to reach it). */
  unverified?: boolean;
};

function firstAddress(list: AddressObject | AddressObject[] | undefined): { address?: string; name?: string } | undefined {
  const obj = Array.isArray(list) ? list[0] : list;
  return obj?.value.find((v) => v.address) ?? obj?.value[0]?.group?.[0];
}

/** Message-IDs a message answers (In-Reply-To, References), at most the last 100. */
function referencedIds(headers: HeaderMap): string[] {
  return [...new Set([...messageIds(header(headers, 'in-reply-to')), ...messageIds(headers.get('references'))])].slice(-100);
}

/** Every address the message was delivered or written to: where a reply token can be. */
function recipientAddresses(row: InboundEmail, headers: HeaderMap): string[] {
  const out = [...row.envelopeTo];
  for (const name of ['to', 'cc', 'delivered-to', 'x-original-to']) for (const v of headers.get(name) ?? []) out.push(...addressesIn(v));
  return out;
}

/**
 * The content of a message for telling two messages with one Message-ID apart: its body, line endings and
 * trailing space normalised (trace headers differ between two deliveries of one message; the body does not).
 */
function bodySha256(raw: Buffer): string {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const body = end === -1 ? '' : raw.subarray(end).toString('latin1');
  return sha256(body.replace(/\r\n/g, '\n').replace(/[ \t]+$/gm, '').trimEnd());
}

/** Text PostgreSQL can store: no NUL characters (the raw source keeps them). */
export function pgText(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\ufffd') : text;
}

/** Addresses in a raw header value (`"A" <a@x.org>, b@y.org`). */
function addressesIn(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/<("[^"<>]*"@[^<>\s]+|[^<>\s]+@[^<>\s]+)>|("[^"<>]*"@[^\s<>,;"]+|[^\s<>,;"]+@[^\s<>,;"]+)/g)) {
    const a = cleanAddress(m[1] ?? m[2]);
    if (a) out.push(a);
  }
  return out;
}

/** The new part of a reply: quoted history and signature removed; the full message stays in the raw source. */
function visibleReply(parsed: ParsedMail): string {
  const text = parsed.text ?? (parsed.html ? htmlToText(parsed.html) : '');
  try {
    const visible = replyParser.parseReply(text).trim();
    return visible || text.trim();
  } catch {
    return text.trim();
  }
}

function replaceCids(html: string, cids: Map<string, string>): string {
  return html.replace(/(["'])cid:([^"']+)\1/gi, (whole, quote: string, cid: string) => {
    const id = cids.get(cid.trim());
    return id ? `${quote}/api/v1/attachments/${id}${quote}` : whole;
  });
}

function clip(text: string): string {
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}\n[… cut; the whole message is in the original]` : text;
}
