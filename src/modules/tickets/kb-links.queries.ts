import { sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.js';
import { ticketEvents, ticketStates } from './tickets.schema.js';

/**
 * Of these (ticket, moment) pairs — an article linked in a ticket at that moment — how many tickets were solved
 * afterwards (a status change into a solved state at or after it). The knowledge base's "solved after linking".
 */
export async function solvedAfter(ex: Executor, links: { ticketId: string; since: Date }[]): Promise<number> {
  if (!links.length) return 0;
  const pairs = JSON.stringify(links.map((l) => ({ t: l.ticketId, s: l.since.toISOString() })));
  const [row] = rowsOf<{ n: number }>(
    await ex.execute(sql`
      select count(*)::int as n from jsonb_to_recordset(${pairs}::jsonb) as l(t uuid, s timestamptz)
      where exists (
        select 1 from ${ticketEvents} e join ${ticketStates} st on st.key = e.to_value #>> '{}'
        where e.ticket_id = l.t and e.at >= l.s and e.kind = 'field_changed' and e.field = 'status' and st.category = 'solved')`),
  );
  return row?.n ?? 0;
}
