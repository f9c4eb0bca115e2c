import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../../db/client.js';
import { type Actor, isStaff } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import { htmlToText, markdownToHtml, sanitize, textToHtml } from '../../../platform/html.js';
import type { NewEvent } from '../events.js';
import type { TicketState } from '../settings.service.js';
import type { TicketRow } from '../tickets.queries.js';
import { attachments, type Channel, messages, ticketFollowers, tickets } from '../tickets.schema.js';
import { save, type TicketDeps, type TicketSet } from './command.js';
import { stateColumns, stateFor } from './ticket-rules.js';

// Writing a message onto a ticket: what add-message, receive-message, escalation and merge notes share.

/** Search indexes at most this much of one message: a pasted log must not blow the tsvector limit. */
export const INDEXED_CHARS = 20_000;

export type RenderedBody = { text: string; html: string };
export type RenderFormat = 'markdown' | 'html' | 'text';
export type Direction = 'inbound' | 'outbound' | 'internal';

/** A message body as stored and shown. Customers' messages hold remote images until an agent asks (platform/html.ts). */
export function renderBody(body: string, format: RenderFormat, from: 'staff' | 'customer' = 'staff'): RenderedBody {
  const remoteImages = from === 'customer' ? 'hold' : 'show';
  if (format === 'html') {
    const html = sanitize(body, { remoteImages });
    return { html, text: htmlToText(html) };
  }
  if (format === 'text') return { html: textToHtml(body), text: body };
  return { html: markdownToHtml(body, { remoteImages }), text: body };
}

export async function insertMessage(
  d: TicketDeps,
  tx: Tx,
  t: TicketRow,
  m: { authorId: string | null; public: boolean; direction: Direction; channel: Channel; body: RenderedBody; attachmentIds: string[]; uploaderId: string | null },
): Promise<string> {
  const [row] = (await tx
    .insert(messages)
    .values({
      ticketId: t.id,
      authorId: m.authorId,
      public: m.public,
      direction: m.direction,
      channel: m.channel,
      bodyText: m.body.text,
      bodyHtml: m.body.html,
      createdAt: d.ctx.clock.now(),
    })
    .returning({ id: messages.id })) as [{ id: string }];
  if (m.attachmentIds.length && m.uploaderId) await claimAttachments(tx, row.id, m.attachmentIds, m.uploaderId);
  return row.id;
}

/** Only the uploader's own, not yet attached files: an id cannot pull someone else's file into view. */
export async function claimAttachments(ex: Executor, messageId: string, ids: string[], uploaderId: string): Promise<void> {
  const claimed = await ex
    .update(attachments)
    .set({ messageId })
    .where(and(inArray(attachments.id, ids), eq(attachments.uploadedBy, uploaderId), isNull(attachments.messageId)))
    .returning({ id: attachments.id });
  const missing = ids.filter((id) => !claimed.some((c) => c.id === id));
  if (missing.length) {
    throw new AppError('INVALID_REFERENCE', `Attachments not found or already used: ${missing.join(', ')}`, {
      fields: [{ path: 'attachmentIds', message: 'upload each file first, and use it once' }],
    });
  }
}

/** The state a message moves the ticket to: the requester's reply rule, or open on an agent's first reply. */
export async function replyState(d: TicketDeps, t: TicketRow, byRequester: boolean, isPublic: boolean, ex: Executor): Promise<TicketState | undefined> {
  if (byRequester) return stateFor(d, (await stateFor(d, t.status, ex)).onRequesterReply, ex);
  if (isPublic && t.statusCategory === 'new') return stateFor(d, 'open', ex);
  return undefined;
}

/** Whether an agent had already replied publicly on the ticket (before the message `except`). */
async function answeredBefore(tx: Tx, ticketId: string, except: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(sql`${messages.ticketId} = ${ticketId} and ${messages.direction} = 'outbound' and ${messages.public} and ${messages.authorId} is not null and ${messages.id} <> ${except}`)
    .limit(1);
  return !!row;
}

/** A message written onto a locked ticket, its state move (`next`) and new followers, saved as one change. */
export async function appendMessage(
  d: TicketDeps,
  tx: Tx,
  actor: Actor | null,
  t: TicketRow,
  m: { public: boolean; direction: Direction; channel: Channel; body: RenderedBody; attachmentIds: string[]; next: TicketState | undefined; followerIds?: string[]; assignTo?: string },
): Promise<{ ticket: TicketRow; messageId: string; followUp: false }> {
  const messageId = await insertMessage(d, tx, t, {
    authorId: actor?.userId ?? null,
    public: m.public,
    direction: m.direction,
    channel: m.channel,
    body: m.body,
    attachmentIds: m.attachmentIds,
    uploaderId: actor?.userId ?? null,
  });
  // Who wrote it and whether it is the first public reply of an agent: what reports count, kept on the event.
  const author = !actor ? 'system' : actor.userId === t.requesterId ? 'requester' : isStaff(actor) ? 'agent' : 'customer';
  const firstAgentReply = m.direction === 'outbound' && m.public && author === 'agent' ? !(await answeredBefore(tx, t.id, messageId)) : undefined;
  const events: NewEvent[] = [
    { kind: 'message_added', to: { messageId, public: m.public, author, direction: m.direction, channel: m.channel, ...(firstAgentReply !== undefined ? { firstAgentReply } : {}) }, public: m.public },
  ];
  const set: TicketSet = {};
  if (m.public && actor?.userId === t.requesterId) set.requesterRepliedAt = d.ctx.clock.now();
  if (m.next && m.next.key !== t.status) {
    Object.assign(set, stateColumns(d, t, m.next));
    events.push({ kind: 'field_changed', field: 'status', from: t.status, to: m.next.key });
  }
  if (m.assignTo && !t.assigneeId) {
    set.assigneeId = m.assignTo;
    events.push({ kind: 'field_changed', field: 'assignee', from: null, to: m.assignTo });
  }
  const newFollowers = (m.followerIds ?? []).filter((u) => u !== t.requesterId);
  if (newFollowers.length) {
    const added = await tx
      .insert(ticketFollowers)
      .values([...new Set(newFollowers)].map((userId) => ({ ticketId: t.id, userId })))
      .onConflictDoNothing()
      .returning({ userId: ticketFollowers.userId });
    if (added.length) events.push({ kind: 'followers_added', to: added.map((a) => a.userId) });
  }
  // Only public text is searchable, so a customer's search can never match words of an internal note.
  if (m.public) set.searchVector = sql`${tickets.searchVector} || setweight(to_tsvector('english', ${m.body.text.slice(0, INDEXED_CHARS)}), 'C')`;
  const ticket = await save(d, tx, actor, t, { set, events }, { autoAssign: false });
  return { ticket, messageId, followUp: false };
}
