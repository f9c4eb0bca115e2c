import { eq, inArray, sql } from 'drizzle-orm';
import { type Actor, isAgent, isStaff } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { Tx } from '../../../db/client.js';
import type { TicketState } from '../settings.service.js';
import type { TicketRow } from '../tickets.queries.js';
import { attachments, type Channel, ticketFollowers } from '../tickets.schema.js';
import { checkVersion, inTransaction, type TicketDeps, type Within } from './command.js';
import { type AddedMessage, createFollowUp } from './create-follow-up.js';
import { appendMessage, type RenderFormat, renderBody, replyState } from './messages.js';
import { assigneeFits, checkTransition, stateFor } from './ticket-rules.js';

/** A reply or note as its author writes it; `status` is "submit as" (agents only). */
export type NewMessage = { body: string; format: RenderFormat; public: boolean; attachmentIds: string[]; status?: string };

/**
 * Adds a public reply or internal note. A requester's reply moves the ticket per its state's rule (pending →
 * open, solved → reopened); on a closed ticket it starts a follow-up ticket instead. An agent's first public
 * reply opens a new ticket, and on an unassigned ticket makes them its assignee (`takesByReplying`). Returns the ticket the message landed on.
 */
export async function addMessage(
  d: TicketDeps,
  actor: Actor,
  ticketId: string,
  input: NewMessage,
  o: { channel?: Channel; expectedVersion?: number } & Within = {},
): Promise<AddedMessage> {
  const staff = isStaff(actor);
  const isPublic = staff ? input.public : true;
  if (!staff && input.public === false) throw new AppError('FORBIDDEN', 'Customers cannot add internal notes');
  if (isPublic && staff && !isAgent(actor)) throw new AppError('FORBIDDEN', 'Light agents can add internal notes, not public replies');
  if (input.status !== undefined && !isAgent(actor)) throw new AppError('FORBIDDEN', 'Only agents can set the state with a message');

  return inTransaction(d, o, async (tx) => {
    const t = await d.queries.getRow(actor, ticketId, tx, true);
    if (t.statusCategory === 'merged') {
      throw new AppError('INVALID_TRANSITION', `Ticket #${t.number} was merged into another ticket; reply there`, { extra: { mergedIntoId: t.mergedIntoId } });
    }
    if (t.statusCategory === 'closed') {
      if (staff) throw new AppError('TICKET_CLOSED', `Ticket #${t.number} is closed; create a follow-up ticket instead`);
      return createFollowUp(d, actor, t, input, { tx });
    }
    await checkVersion(d, tx, actor, t, o.expectedVersion);
    let next: TicketState | undefined;
    if (input.status !== undefined) {
      next = await stateFor(d, input.status, tx);
      if (next.key !== t.status) await checkTransition(d, t, next, t.customFields, tx);
    } else {
      next = await replyState(d, t, !staff || actor.userId === t.requesterId, isPublic, tx);
    }
    if (isPublic && staff) await checkReplyMailBytes(d, tx, actor, t, input.attachmentIds);
    return appendMessage(d, tx, actor, t, {
      public: isPublic,
      direction: !staff ? 'inbound' : isPublic ? 'outbound' : 'internal',
      channel: o.channel ?? 'api',
      body: renderBody(input.body, input.format, staff ? 'staff' : 'customer'),
      attachmentIds: input.attachmentIds,
      next,
      assignTo: (await takesByReplying(d, actor, t, isPublic, tx)) ? actor.userId : undefined,
    });
  });
}

/**
 * Whether this reply makes its author the assignee: an agent's public reply on an unassigned ticket does, when
 * the desk's setting says so (on by default, as in Zendesk) and they may own it (a member of its group, if any),
 * so the ticket stops looking unowned once someone has answered it.
 */
async function takesByReplying(d: TicketDeps, actor: Actor, t: TicketRow, isPublic: boolean, tx: Tx): Promise<boolean> {
  if (!isPublic || !isAgent(actor) || t.assigneeId || actor.userId === t.requesterId) return false;
  if (!(await d.settings.getBehaviour(tx)).replyAssigns) return false;
  return assigneeFits(d, actor.userId, t.groupId, tx);
}

/**
 * A public reply is mailed to the requester and every follower (not its author), each a stored message of its own
 * with the attachments in it (one message per recipient: see the email module's sendReply). Their total, attachment
 * bytes times recipients, is bounded by MAX_REPLY_MAIL_BYTES; over it the reply is refused before anything is
 * written, and the agent is told what to do.
 */
async function checkReplyMailBytes(d: TicketDeps, tx: Tx, actor: Actor, t: TicketRow, attachmentIds: string[]): Promise<void> {
  if (!attachmentIds.length) return;
  const [files] = await tx.select({ bytes: sql<string>`coalesce(sum(${attachments.size}), 0)` }).from(attachments).where(inArray(attachments.id, attachmentIds));
  const bytes = Number(files?.bytes ?? 0);
  const followers = await tx.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, t.id));
  const recipients = new Set([t.requesterId, ...followers.map((f) => f.userId)]);
  recipients.delete(actor.userId);
  const limit = d.ctx.config.maxReplyMailBytes;
  if (bytes * recipients.size <= limit) return;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  throw new AppError(
    'REPLY_TOO_LARGE',
    `This reply's attachments (${mb(bytes)}) would be mailed to ${recipients.size} recipients, ${mb(bytes * recipients.size)} in all, over the limit of ${mb(limit)}. Attach fewer or smaller files, or share a link to them instead.`,
    { fields: [{ path: 'attachmentIds', message: 'too large for this many recipients' }], extra: { attachmentBytes: bytes, recipients: recipients.size, limit } },
  );
}
