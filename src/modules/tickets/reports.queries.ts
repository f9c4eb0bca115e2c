import { and, getTableName, inArray, type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, rowsOf } from '../../db/client.js';
import { copyRows } from '../../db/copy-text.js';
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

/** A ticket's facts from the first twelve fields of a COPY row (foldPage's columns, in order). */
function factsOf([id, number, requesterId, channel, priorityId, type, groupId, assigneeId, organizationId, tags, productArea, statusCategory]: (string | null)[]): TicketFactsRow {
  return {
    id: id as string,
    number: Number(number),
    requesterId: requesterId as string,
    channel: channel as TicketFactsRow['channel'],
    priorityId: priorityId as string,
    type: type ?? null,
    groupId: groupId ?? null,
    assigneeId: assigneeId ?? null,
    organizationId: organizationId ?? null,
    tags: tags ? (JSON.parse(tags) as string[]) : [],
    productArea: productArea ?? null,
    statusCategory: statusCategory as TicketFactsRow['statusCategory'],
  };
}

type TicketFactsRow = Awaited<ReturnType<typeof ticketFacts>>[number];

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

// What the reporting fold reads of an event, every column as text (alike through COPY and through a query): the
// instant as epoch milliseconds (date_part, a float: extract's numeric cost a third of the read), and only the
// payload fields the fold uses, not the jsonb payloads (parsing those was most of the read).
// (Ordered by `e.id`, not `id`: that names the text column here.)
const FOLD_EVENT_COLUMNS = `id::text as id, ticket_id::text as t, kind as k, actor_type as a, (date_part('epoch', at) * 1000)::text as ms,
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
  case when kind = 'message_added' then (to_value->'public')::text end as p`;
const FOLD_EVENT_KEYS = ['id', 't', 'k', 'a', 'ms', 'f', 'x', 'y', 'p'] as const;

/** A ticket id to write into SQL text (COPY takes no parameters): only ever a well-formed uuid. */
function uuidLiteral(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new Error(`not a ticket id: ${id}`);
  return `'${id}'::uuid`;
}

// FOLD_EVENT_COLUMNS as one json array per event (numbers as numbers, `public` as the payload has it), aggregated
// per ticket in id order by foldPage.
const FOLD_EVENT_JSON = `json_build_array(e.id, e.kind, e.actor_type, date_part('epoch', e.at) * 1000,
  case when e.kind in ('field_changed', 'sla_met', 'sla_breached') then e.field end,
  case e.kind
    when 'created' then e.to_value->>'status'
    when 'message_added' then e.to_value->>'author'
    when 'field_changed' then case when e.field in ('status', 'assignee') then e.to_value #>> '{}' end
    when 'escalated' then e.to_value->>'group'
    when 'sla_met' then e.to_value->>'targetMinutes'
    when 'sla_breached' then e.to_value->>'targetMinutes'
  end,
  case e.kind
    when 'message_added' then e.to_value->>'direction'
    when 'field_changed' then case when e.field = 'assignee' then e.from_value #>> '{}' end
  end,
  case when e.kind = 'message_added' then e.to_value->'public' end)`;

/**
 * A page of the rebuild: the tickets of an id range (after `after`, or from `from`; before `before`) in id order, each with its facts and all its events (reduced as
 * foldEventsOfTickets reduces them) in one row — the events aggregated per ticket by the server as one json array, so
 * Node parses one COPY row per ticket instead of one per event, and one statement reads the page. Outside a
 * transaction.
 */
export async function foldPage(
  database: Database,
  range: { after?: string | null; from?: string | null; before?: string | null },
  limit: number,
): Promise<{ facts: TicketFactsRow[]; events: TicketEvent[] }> {
  const where = [
    range.after ? `id > ${uuidLiteral(range.after)}` : range.from ? `id >= ${uuidLiteral(range.from)}` : '',
    range.before ? `id < ${uuidLiteral(range.before)}` : '',
  ].filter(Boolean);
  const text = await database.copyOut(`select t.id, t.number, t.requester_id, t.channel, t.priority_id, t.type, t.group_id, t.assignee_id, t.organization_id,
      case when cardinality(t.tags) > 0 then array_to_json(t.tags) end, t.product_area, t.status_category,
      (select json_agg(${FOLD_EVENT_JSON} order by e.id) from ${getTableName(ticketEvents)} e where e.ticket_id = t.id)
    from (select * from ${getTableName(tickets)} ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ${Math.trunc(limit)}) t order by t.id`);
  const facts: TicketFactsRow[] = [];
  const events: TicketEvent[] = [];
  for (const r of copyRows(text)) {
    const fact = factsOf(r);
    facts.push(fact);
    const list = r[12] ? (JSON.parse(r[12]) as [number, string, string, number, string | null, string | null, string | null, unknown][]) : [];
    for (const [id, kind, actorType, ms, field, x, y, p] of list) {
      events.push(foldEvent([String(id), fact.id, kind, actorType, String(ms), field, x, y, typeof p === 'boolean' ? String(p) : null]));
    }
  }
  return { facts, events };
}

/** The same reduced events of some tickets, in a transaction (the rebuild's catch-up of tickets that changed while it ran). */
export async function foldEventsOfTickets(ex: Executor, ids: string[]): Promise<TicketEvent[]> {
  if (!ids.length) return [];
  const result = await ex.execute(sql`select ${sql.raw(FOLD_EVENT_COLUMNS)} from ${ticketEvents} e where e.ticket_id = any(${sql.param(ids)}::uuid[]) order by e.ticket_id, e.id`);
  return rowsOf<Record<(typeof FOLD_EVENT_KEYS)[number], string | null>>(result).map((r) => foldEvent(FOLD_EVENT_KEYS.map((k) => r[k])));
}

/** A row of FOLD_EVENT_COLUMNS as a TicketEvent. */
function foldEvent(r: (string | null)[]): TicketEvent {
  const [id, ticketId, kind, actorType, ms, field, x, y, p] = r;
  let toValue: unknown = null;
  let fromValue: unknown = null;
  switch (kind) {
    case 'created':
      toValue = { status: x ?? undefined };
      break;
    case 'message_added':
      // `public` must be a boolean (the jsonb's text is exactly true or false), or the fold skips the message.
      toValue = p === 'true' || p === 'false' ? { public: p === 'true', author: x ?? undefined, direction: y ?? undefined } : null;
      break;
    case 'field_changed':
      toValue = x;
      fromValue = y;
      break;
    case 'escalated':
      toValue = { group: x ?? undefined };
      break;
    case 'sla_met':
    case 'sla_breached':
      toValue = { targetMinutes: x === null ? undefined : Number(x) };
      break;
  }
  return {
    id: Number(id),
    ticketId: ticketId as string,
    actorId: null,
    actorType: actorType as TicketEvent['actorType'],
    actorName: null,
    kind: kind as string,
    field: field ?? null,
    fromValue,
    toValue,
    public: true,
    at: new Date(Number(ms)),
    ticketVersion: null,
  };
}

/**
 * The highest event id such that every event up to it is committed: the largest id there is, once the transactions
 * that were writing events when it was read have ended (they hold a row-exclusive lock on the table from their
 * insert to their end; a later writer takes its ids from the sequence after it, so above this one). Nothing is
 * blocked: this waits for the writers in flight, polling. A rebuild reads everything up to it and catches up above it.
 * A writer that never ends (a session left idle in a transaction) must not hold the rebuild forever: after
 * `deadlineMs` this throws EventsNotSettledError naming the backends still in flight, and the caller gives up.
 */
export async function settledEventWatermark(ex: Executor, o: { deadlineMs?: number } = {}): Promise<number> {
  const deadline = Date.now() + (o.deadlineMs ?? 30_000);
  const top = await maxEventId(ex);
  const writers = sql`select virtualtransaction, pid from pg_locks
    where relation = ${sql.raw(`'${getTableName(ticketEvents)}'`)}::regclass and mode = 'RowExclusiveLock' and pid is distinct from pg_backend_pid()`;
  const read = async () => rowsOf<{ virtualtransaction: string; pid: number | null }>(await ex.execute(writers));
  let inFlight = await read();
  while (inFlight.length) {
    if (Date.now() >= deadline) throw new EventsNotSettledError(inFlight.map((r) => r.pid).filter((p): p is number => p !== null), o.deadlineMs ?? 30_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const still = new Set((await read()).map((r) => r.virtualtransaction));
    inFlight = inFlight.filter((v) => still.has(v.virtualtransaction));
  }
  return top;
}

/** Transactions that were writing ticket events did not end within the wait (settledEventWatermark). */
export class EventsNotSettledError extends Error {
  constructor(
    readonly pids: number[],
    readonly waitedMs: number,
  ) {
    super(
      `transactions writing ticket events (server processes ${pids.join(', ') || 'unknown'}) were still open after ${Math.round(waitedMs / 1000)} s; ` +
        'end them (pg_stat_activity shows what they run) or try again',
    );
    this.name = 'EventsNotSettledError';
  }
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
