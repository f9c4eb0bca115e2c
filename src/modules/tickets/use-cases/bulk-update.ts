import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { TicketDeps } from './command.js';
import { mergeTickets } from './merge-tickets.js';
import { type TicketChanges, updateTicket } from './update-ticket.js';

/** The same changes for many tickets, or merging them all into one. */
export type BulkChange = { ids: string[]; changes?: TicketChanges; mergeIntoId?: string };
export type BulkOutcome = { id: string; ok: boolean; code?: string; detail?: string };

/**
 * The same change on many tickets, each in its own transaction: one ticket's refusal (a required field on
 * solve, a closed ticket) does not undo the others, and each reports why.
 */
export async function bulkUpdate(d: TicketDeps, actor: Actor, bulk: BulkChange): Promise<BulkOutcome[]> {
  const results: BulkOutcome[] = [];
  for (const id of [...new Set(bulk.ids)]) {
    try {
      if (bulk.mergeIntoId) {
        if (id !== bulk.mergeIntoId) await mergeTickets(d, actor, id, bulk.mergeIntoId);
      } else await updateTicket(d, actor, id, bulk.changes ?? {});
      results.push({ id, ok: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id, ok: false, code: err.code, detail: err.message });
    }
  }
  return results;
}
