import { type Actor, isStaff, SYSTEM_ACTOR } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { Channel } from '../tickets.schema.js';
import { inTransaction, type TicketDeps, type Within } from './command.js';
import { type AddedMessage, createFollowUp } from './create-follow-up.js';
import { appendMessage, type RenderFormat, renderBody, replyState } from './messages.js';
import { capFollowers, noteFollowersLeftOut } from './follower-limit.js';
import { customerMayAdd } from './ticket-rules.js';

/** A message a channel brought in, for a ticket its threading chose. A `note` is internal and moves no state. */
export type ReceivedMessage = { body: string; format: RenderFormat; attachmentIds: string[]; note: boolean; followerIds?: string[]; channel: Channel };

export type ReceiveOptions = {
  /**
   * A staff author must be allowed to change the ticket the message finally lands on (the API's rule: visible to
   * them, and not escalated away when that is read-only); if not, the message is an internal note with no
   * followers and `authorRefused` is set.
   */
  authorMustChange?: boolean;
} & Within;

/**
 * A message that arrived on a channel (an email reply, an out-of-office note, a bounce notice) for a ticket the
 * channel's threading already chose: no visibility check, a merged ticket's message goes to the ticket it was
 * merged into, and a requester's reply to a closed ticket starts a linked follow-up. `author` null is Lifeline.
 * A channel that must commit its own writes with the message (an inbound email marked processed) passes `tx`.
 */
export function receiveMessage(d: TicketDeps, author: Actor | null, ticketId: string, given: ReceivedMessage, options: ReceiveOptions = {}): Promise<AddedMessage> {
  return inTransaction(d, options, async (tx) => {
    let input = given;
    let t = await d.queries.getRow(SYSTEM_ACTOR, ticketId, tx, true);
    for (let hops = 0; t.statusCategory === 'merged' && t.mergedIntoId && hops < 20; hops++) {
      t = await d.queries.getRow(SYSTEM_ACTOR, t.mergedIntoId, tx, true);
    }
    const staff = author !== null && isStaff(author);
    let authorRefused = false;
    if (options.authorMustChange && staff && author) {
      try {
        await d.queries.getRow(author, t.id, tx, true);
      } catch (err) {
        if (!(err instanceof AppError) || !['TICKET_NOT_FOUND', 'TICKET_READ_ONLY'].includes(err.code)) throw err;
        authorRefused = true;
        input = { ...input, note: true, followerIds: [] };
      }
    }
    if (t.statusCategory === 'closed' && !input.note && author) {
      return createFollowUp(d, author, t, { body: input.body, format: input.format, attachmentIds: input.attachmentIds }, { tx });
    }
    const next = input.note ? undefined : await replyState(d, t, !staff || author?.userId === t.requesterId, true, tx);
    // A channel's Cc list from a customer: people they may not add are left out, silently (mail has no 422).
    // They must also belong to the ticket's organisation: a Cc never opens another organisation's ticket.
    const allowed = input.followerIds?.length && author ? await customerMayAdd(d, author, input.followerIds, tx, false, t.organizationId) : input.followerIds;
    // Beyond the ticket's limit of customer followers they are left out too, and the ticket says so once.
    const { kept: followerIds, leftOut } = await capFollowers(d, tx, t.id, (allowed ?? []).filter((u) => u !== t.requesterId), false);
    const appended = await appendMessage(d, tx, author, t, {
      public: !input.note,
      direction: input.note ? 'internal' : staff ? 'outbound' : 'inbound',
      channel: input.channel,
      body: renderBody(input.body, input.format, staff ? 'staff' : 'customer'),
      attachmentIds: input.attachmentIds,
      next,
      followerIds,
    });
    const added = leftOut.length ? { ...appended, ticket: await noteFollowersLeftOut(d, tx, appended.ticket, leftOut) } : appended;
    return authorRefused ? { ...added, authorRefused } : added;
  });
}

/**
 * A message from Lifeline itself — an automation's reminder to the requester (public: mailed like an agent's
 * reply) or its note — that does not change the state.
 */
export function addSystemMessage(d: TicketDeps, ticketId: string, input: { body: string; public: boolean }, within: Within = {}): Promise<AddedMessage> {
  return inTransaction(d, within, async (tx) => {
    const t = await d.queries.getRow(SYSTEM_ACTOR, ticketId, tx, true);
    return appendMessage(d, tx, null, t, {
      public: input.public,
      direction: input.public ? 'outbound' : 'internal',
      channel: 'api',
      body: renderBody(input.body, 'markdown'),
      attachmentIds: [],
      next: undefined,
    });
  });
}
