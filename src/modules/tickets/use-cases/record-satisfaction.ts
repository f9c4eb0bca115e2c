import { appendEvents, eventActor } from '../events.js';
import { inTransaction, lockTicket, type TicketDeps, type Within } from './command.js';

export type SatisfactionAnswer = { surveyId: string; rating: 'good' | 'bad'; reason: string | null; comment: string | null };

/**
 * Records a requester's satisfaction rating on the ticket's event stream (by the requester, no new version: the
 * ticket itself did not change), so triggers can act on a bad one (`events: ['satisfaction_bad']`).
 */
export function recordSatisfaction(d: TicketDeps, requesterId: string, ticketId: string, answer: SatisfactionAnswer, within: Within = {}): Promise<void> {
  return inTransaction(d, within, async (tx) => {
    const ticket = await lockTicket(d, tx, null, ticketId);
    const rows = await appendEvents(tx, { ticketId, version: ticket.version, actor: eventActor(requesterId), at: d.ctx.clock.now(), events: [{ kind: 'satisfaction_rated', to: answer }] });
    await d.events.dispatch(tx, rows, ticket);
  });
}
