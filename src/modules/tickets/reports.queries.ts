import { and, asc, gt, inArray, type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import { eventFromRow, type TicketEvent } from './events.js';
import { visibleTo } from './tickets.queries.js';
import { ticketEvents, tickets, ticketStates } from './tickets.schema.js';

export { CHANNELS, type StateCategory } from './tickets.schema.js';

/** What reports read of tickets (reports/ keeps the ticket_metrics store; tickets own the rows and the events). */

/** The columns the reporting row takes from a ticket (its dimensions). */
const factColumns = {
  id: tickets.id,
  number: tickets.number,
  requesterId: tickets.requesterId,
  channel: tickets.channel,
  priorityId: tickets.priorityId,
  type: tickets.type,
  groupId: tickets.groupId,
  assigneeId: tickets.assigneeId,
  organizationId: tickets.organizationId,
  tags: tickets.tags,
  productArea: tickets.productArea,
  statusCategory: tickets.statusCategory,
};

/** A page of tickets' facts in id order after `after` (the rebuild walks every ticket this way). */
export function ticketFactsPage(ex: Executor, after: string | null, limit: number) {
  return ex
    .select(factColumns)
    .from(tickets)
    .where(after ? gt(tickets.id, after) : undefined)
    .orderBy(asc(tickets.id))
    .limit(limit);
}

export function ticketFacts(ex: Executor, ids: string[]) {
  return ids.length ? ex.select(factColumns).from(tickets).where(inArray(tickets.id, ids)) : Promise.resolve([]);
}

/** How many tickets there are (the rebuild's progress). */
export async function ticketCount(ex: Executor): Promise<number> {
  return Number(rowsOf<{ n: number }>(await ex.execute(sql`select count(*)::int as n from ${tickets}`))[0]?.n ?? 0);
}

/** The events of these tickets (after event `after`), by ticket then id. */
export async function eventsOfTickets(ex: Executor, ids: string[], after = 0): Promise<TicketEvent[]> {
  if (!ids.length) return [];
  const result = await ex.execute(sql`select * from ${ticketEvents} where ticket_id = any(${sql.param(ids)}::uuid[]) and id > ${after} order by ticket_id, id`);
  return rowsOf<Record<string, unknown>>(result).map(eventFromRow);
}

/** State key → category, for the fold. */
export async function stateCategories(ex: Executor): Promise<Map<string, string>> {
  return new Map((await ex.select({ key: ticketStates.key, category: ticketStates.category }).from(ticketStates)).map((s) => [s.key, s.category]));
}

/** The tickets an actor may see, as a condition on a ticket id column of another table (undefined: all). */
export function visibleTicketIds(actor: Actor, ticketId: SQL): SQL | undefined {
  const visible = visibleTo(actor);
  if (!visible) return undefined;
  return sql`exists (select 1 from ${tickets} where ${tickets.id} = ${ticketId} and ${visible})`;
}

/** Number, subject and state of tickets for a drill-down list (only those the actor may see). */
export function ticketSummaries(ex: Executor, actor: Actor, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return ex
    .select({ id: tickets.id, number: tickets.number, subject: tickets.subject, status: tickets.status, statusCategory: tickets.statusCategory, createdAt: tickets.createdAt })
    .from(tickets)
    .where(and(inArray(tickets.id, ids), visibleTo(actor)));
}

/** The events of one ticket after event `after` (an SQL expression), in id order, as one jsonb array: a scalar
 *  subquery for the reporting step's single read. Map each element with `eventFromJson`. */
export function eventsJsonAfter(ticketId: SQL, after: SQL): SQL {
  return sql`(select coalesce(jsonb_agg(to_jsonb(e) order by e.id), '[]'::jsonb) from ${ticketEvents} e where e.ticket_id = ${ticketId} and e.id > ${after})`;
}

export const eventFromJson = (r: Record<string, unknown>): TicketEvent => eventFromRow(r);
