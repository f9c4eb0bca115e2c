import { and, asc, getTableName, gt, inArray, type SQL, sql } from 'drizzle-orm';
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

/**
 * The events of the tickets with ids in (`after`, `last`], by ticket then id, reduced to what the reporting fold
 * reads (the rebuild reads every event there is): one ordered range scan of the (ticket_id, id) index instead of a
 * lookup per ticket, a few text columns instead of the jsonb payloads (parsing those was most of the read), and the
 * instant as epoch milliseconds. Each row becomes a `TicketEvent` carrying only those fields; events of other kinds
 * keep their id, since the fold records the last event it read.
 */
export function foldEventsOfRange(ex: Executor, after: string | null, last: string): Promise<TicketEvent[]> {
  return foldEvents(ex, sql`${after ? sql`ticket_id > ${after}::uuid and ` : sql``}ticket_id <= ${last}::uuid`);
}

/** The same reduced events of some tickets (the rebuild's catch-up of tickets that changed while it ran). */
export function foldEventsOfTickets(ex: Executor, ids: string[]): Promise<TicketEvent[]> {
  return ids.length ? foldEvents(ex, sql`ticket_id = any(${sql.param(ids)}::uuid[])`) : Promise.resolve([]);
}

async function foldEvents(ex: Executor, where: SQL): Promise<TicketEvent[]> {
  const result = await ex.execute(sql`
    select id, ticket_id as t, kind as k, actor_type as a, (extract(epoch from at) * 1000)::float8 as ms,
      case when kind in ('field_changed', 'sla_met', 'sla_breached') then field end as f,
      case kind
        when 'created' then to_value->>'status'
        when 'message_added' then to_value->>'author'
        when 'field_changed' then case when field in ('status', 'assignee') then to_value #>> '{}' end
        when 'escalated' then to_value->>'group'
        when 'sla_met' then to_value->>'targetMinutes'
        when 'sla_breached' then to_value->>'targetMinutes'
      end as x,
      case kind
        when 'message_added' then to_value->>'direction'
        when 'field_changed' then case when field = 'assignee' then from_value #>> '{}' end
      end as y,
      case when kind = 'message_added' and jsonb_typeof(to_value->'public') = 'boolean' then (to_value->'public')::boolean end as p
    from ${ticketEvents}
    where ${where}
    order by ticket_id, id`);
  return rowsOf<FoldRow>(result).map(foldEvent);
}

type FoldRow = { id: number | string; t: string; k: string; a: TicketEvent['actorType']; ms: number; f: string | null; x: string | null; y: string | null; p: boolean | null };

function foldEvent(r: FoldRow): TicketEvent {
  let toValue: unknown = null;
  let fromValue: unknown = null;
  switch (r.k) {
    case 'created':
      toValue = { status: r.x ?? undefined };
      break;
    case 'message_added':
      toValue = r.p === null ? null : { public: r.p, author: r.x ?? undefined, direction: r.y ?? undefined };
      break;
    case 'field_changed':
      toValue = r.x;
      fromValue = r.y;
      break;
    case 'escalated':
      toValue = { group: r.x ?? undefined };
      break;
    case 'sla_met':
    case 'sla_breached':
      toValue = { targetMinutes: r.x === null ? undefined : Number(r.x) };
      break;
  }
  return { id: Number(r.id), ticketId: r.t, actorId: null, actorType: r.a, actorName: null, kind: r.k, field: r.f, fromValue, toValue, public: true, at: new Date(r.ms), ticketVersion: null };
}

/**
 * The highest event id such that every event up to it is committed: the largest id there is, once the transactions
 * that were writing events when it was read have ended (they hold a row-exclusive lock on the table from their
 * insert to their end; a later writer takes its ids from the sequence after it, so above this one). Nothing is
 * blocked: this waits for the writers in flight, polling. A rebuild reads everything up to it and catches up above it.
 */
export async function settledEventWatermark(ex: Executor): Promise<number> {
  const top = await maxEventId(ex);
  const writers = sql`select virtualtransaction from pg_locks
    where relation = ${sql.raw(`'${getTableName(ticketEvents)}'`)}::regclass and mode = 'RowExclusiveLock' and pid <> pg_backend_pid()`;
  const inFlight = rowsOf<{ virtualtransaction: string }>(await ex.execute(writers)).map((r) => r.virtualtransaction);
  while (inFlight.length) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const still = new Set(rowsOf<{ virtualtransaction: string }>(await ex.execute(writers)).map((r) => r.virtualtransaction));
    inFlight.splice(0, inFlight.length, ...inFlight.filter((v) => still.has(v)));
  }
  return top;
}

/** The largest event id this statement sees. */
export async function maxEventId(ex: Executor): Promise<number> {
  const [top] = rowsOf<{ id: string | number }>(await ex.execute(sql`select coalesce(max(id), 0) as id from ${ticketEvents}`));
  return Number(top?.id ?? 0);
}

/** The tickets with events of id in (`after`, `upTo`]: what changed between two watermarks. */
export async function ticketsWithEventsBetween(ex: Executor, after: number, upTo: number): Promise<string[]> {
  if (upTo <= after) return [];
  const result = await ex.execute(sql`select distinct ticket_id as id from ${ticketEvents} where id > ${after} and id <= ${upTo}`);
  return rowsOf<{ id: string }>(result).map((r) => r.id);
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
