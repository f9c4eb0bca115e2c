import { eq } from 'drizzle-orm';
import type { Actor } from '../../../platform/auth.js';
import type { TicketRow } from '../tickets.queries.js';
import { ticketLinks, tickets } from '../tickets.schema.js';
import { inTransaction, record, type TicketDeps, type Within } from './command.js';
import { createTicket } from './create-ticket.js';
import type { RenderFormat } from './messages.js';

/** Where a message landed: the ticket (a follow-up's, if it started one) and the message. */
export type AddedMessage = {
  ticket: TicketRow;
  messageId: string;
  followUp: boolean;
  /** With `authorMustChange`: the staff author may not change the ticket, so the message became a plain note. */
  authorRefused?: boolean;
};

/**
 * A requester wrote on a closed ticket: a new ticket, linked to the old one, carries the conversation on. The
 * follow-up, its link and both tickets' events commit together (with whatever the caller writes in `tx`).
 */
export function createFollowUp(
  d: TicketDeps,
  actor: Actor,
  closed: TicketRow,
  input: { body: string; format: RenderFormat; attachmentIds: string[] },
  within: Within = {},
): Promise<AddedMessage> {
  return inTransaction(d, within, async (tx) => {
    const created = await createTicket(
      d,
      actor,
      {
        subject: closed.subject.startsWith('Re: ') ? closed.subject : `Re: ${closed.subject}`,
        description: input.body,
        format: input.format,
        requesterId: actor.userId,
        organizationId: closed.organizationId,
        groupId: closed.groupId,
        tags: closed.tags,
        customFields: {},
        followerIds: [],
        cc: [],
        attachmentIds: input.attachmentIds,
        channel: closed.channel,
      },
      { trusted: true, tx },
    );
    const [t] = (await tx.update(tickets).set({ followUpOfId: closed.id }).where(eq(tickets.id, created.ticket.id)).returning()) as [TicketRow];
    await tx.insert(ticketLinks).values({ ticketId: t.id, kind: 'related', targetTicketId: closed.id, createdBy: actor.userId, createdAt: d.ctx.clock.now() });
    await record(d, tx, actor, t, [{ kind: 'follow_up_created', from: { ticketId: closed.id, number: closed.number } }]);
    await record(d, tx, actor, closed, [{ kind: 'follow_up_created', to: { ticketId: t.id, number: t.number } }]);
    return { ticket: t, messageId: created.messageId, followUp: true };
  });
}
