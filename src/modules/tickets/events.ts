import { AsyncLocalStorage } from 'node:async_hooks';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import type { Clock } from '../../platform/clock.js';
import { enqueue, type NewJob } from '../../platform/jobs.js';
import type { TicketRow } from './tickets.queries.js';
import { CHANNELS, ticketEvents } from './tickets.schema.js';

/**
 * The ticket event stream: the kinds of events (a zod discriminated union, one payload shape per kind), the one
 * function that appends them (`appendEvents`, or `eventInsertSql` inside a command's own statement), and the
 * subscribers other modules declare (`TicketEventStream`). Rows written before the union existed parse too:
 * everything added since is optional.
 */

export const EVENTS_CHANNEL = 'lifeline_events';

export const EVENT_ACTOR_TYPES = ['person', 'rule', 'channel', 'system'] as const;
export type EventActorType = (typeof EVENT_ACTOR_TYPES)[number];
/** Who made an event: a person (their id), a rule (its name), a channel acting for nobody, or Lifeline itself. */
export type EventActor =
  | { type: 'person'; userId: string }
  | { type: 'rule'; name: string }
  | { type: 'channel'; channel: string }
  | { type: 'system' };

const rules = new AsyncLocalStorage<string>();
/** Commands run inside `fn` without a person are recorded as made by the rule `name` (a trigger, an automation). */
export function asRule<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return rules.run(name, fn);
}
/** The actor of a command: the person if there is one, else the rule running it, else the channel, else system. */
export function eventActor(userId: string | null | undefined, channel?: string): EventActor {
  if (userId) return { type: 'person', userId };
  const rule = rules.getStore();
  if (rule) return { type: 'rule', name: rule };
  return channel ? { type: 'channel', channel } : { type: 'system' };
}

const Id = z.string().min(1);
const Channel = z.enum(CHANNELS);
const TicketRef = z.object({ ticketId: Id, number: z.number().int() });
export const SLA_EVENT_METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export const AUTHOR_ROLES = ['requester', 'agent', 'customer', 'system'] as const;
export const TICKET_FIELDS = [
  'subject',
  'priority',
  'type',
  'group',
  'assignee',
  'organization',
  'tags',
  'product_area',
  'due_at',
  'custom_fields',
  'status',
  'followers',
] as const;

/** An SLA clock reaching its warning time or its deadline, or its target met in time: what reports count as warned, breached or met. */
const SlaPayload = z.object({
  metric: z.enum(SLA_EVENT_METRICS),
  at: z.string(),
  targetMinutes: z.number().int(),
  // Since the typed stream: the deadline and the business minutes elapsed on the clock when it was stamped.
  dueAt: z.string().nullable().optional(),
  elapsedMinutes: z.number().int().optional(),
  policyId: z.string().nullable().optional(),
});

/** Each kind with its payload: `field`, `from` and `to` are the table's columns. */
export const TicketEventPayload = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('created'),
    to: z.object({ number: z.number().int(), status: z.string(), priority: z.string(), channel: Channel, requesterId: Id.optional() }),
  }),
  z.object({
    kind: z.literal('message_added'),
    to: z.object({
      messageId: Id,
      public: z.boolean(),
      // Since the typed stream: who wrote it (the requester, another customer, an agent, Lifeline), which way
      // it went, by which channel, and whether it is the first public reply of an agent on the ticket.
      author: z.enum(AUTHOR_ROLES).optional(),
      direction: z.enum(['inbound', 'outbound', 'internal']).optional(),
      channel: Channel.optional(),
      firstAgentReply: z.boolean().optional(),
    }),
  }),
  z.object({
    kind: z.literal('field_changed'),
    field: z.enum(TICKET_FIELDS),
    // A status change is from and to state keys; their categories (a solve, a reopen) are ticket_states'.
    from: z.unknown().optional(),
    to: z.unknown().optional(),
  }),
  z.object({ kind: z.literal('followers_added'), to: z.array(Id) }),
  z.object({ kind: z.literal('follow_up_created'), from: TicketRef.optional(), to: TicketRef.optional() }),
  z.object({
    kind: z.literal('escalated'),
    from: z.object({ groupId: Id.nullable(), group: z.string().nullable() }),
    to: z.object({ groupId: Id, group: z.string(), urgency: z.string(), impact: z.string(), tried: z.string(), needed: z.string(), by: z.enum(['agent', 'automation']) }),
  }),
  z.object({ kind: z.literal('merged_into'), field: z.literal('status').optional(), from: z.string(), to: TicketRef }),
  z.object({ kind: z.literal('merged_from'), to: TicketRef }),
  z.object({
    kind: z.literal('link_added'),
    to: z.object({ linkId: Id, kind: z.string(), targetTicketId: Id.nullable(), url: z.string().nullable(), title: z.string().nullable() }),
  }),
  z.object({ kind: z.literal('link_removed'), from: z.object({ linkId: Id, kind: z.string(), targetTicketId: Id.nullable(), url: z.string().nullable() }) }),
  // The requester answered a satisfaction survey (src/modules/csat): triggers act on a bad one.
  z.object({
    kind: z.literal('satisfaction_rated'),
    to: z.object({ surveyId: Id, rating: z.enum(['good', 'bad']), reason: z.string().nullable().optional(), comment: z.string().nullable().optional() }),
  }),
  z.object({ kind: z.literal('sla_warning'), field: z.enum(SLA_EVENT_METRICS), to: SlaPayload }),
  z.object({ kind: z.literal('sla_breached'), field: z.enum(SLA_EVENT_METRICS), to: SlaPayload }),
  // Written in the transaction of the change that met the target (an agent's public reply, a solve), never for a
  // clock past its deadline; `elapsedMinutes` is business time, `dueAt` the deadline it beat (null while paused).
  z.object({ kind: z.literal('sla_met'), field: z.enum(SLA_EVENT_METRICS), to: SlaPayload }),
]);
export type TicketEventPayload = z.infer<typeof TicketEventPayload>;
export type TicketEventKind = TicketEventPayload['kind'];
export const TICKET_EVENT_KINDS = TicketEventPayload.options.map((o) => o.shape.kind.value) as TicketEventKind[];
/** The kinds an SLA clock writes (the sweep: warning, breach; the clocks' step: met). */
export const SLA_EVENT_KINDS: readonly TicketEventKind[] = ['sla_warning', 'sla_breached', 'sla_met'];

/** An event to append: its typed payload, and whether customers may see it (default yes). */
export type NewEvent = TicketEventPayload & { public?: boolean };

/** A stored event row. */
export type TicketEvent = typeof ticketEvents.$inferSelect;

/** The typed payload of a stored row; throws (a ZodError) on a row no kind describes. */
export function parseEvent(row: Pick<TicketEvent, 'kind' | 'field' | 'fromValue' | 'toValue'>): TicketEventPayload {
  const raw: Record<string, unknown> = { kind: row.kind };
  if (row.field !== null) raw.field = row.field;
  if (row.fromValue !== null && row.fromValue !== undefined) raw.from = row.fromValue;
  if (row.toValue !== null && row.toValue !== undefined) raw.to = row.toValue;
  return TicketEventPayload.parse(raw);
}

/** Refuses an event no kind describes: a programming error, caught in tests, never a half-typed row. */
export function checkEvent(e: NewEvent): NewEvent {
  const parsed = TicketEventPayload.safeParse(e);
  if (!parsed.success) {
    throw new Error(`Invalid ticket event ${JSON.stringify(e.kind)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`);
  }
  return e;
}

/** The row columns of a checked event. */
function columns(e: NewEvent) {
  const x = e as { field?: string; from?: unknown; to?: unknown };
  return { kind: e.kind, field: x.field ?? null, from_value: x.from ?? null, to_value: x.to ?? null, public: e.public ?? true };
}

function actorColumns(actor: EventActor) {
  return {
    id: actor.type === 'person' ? actor.userId : null,
    type: actor.type,
    name: actor.type === 'rule' ? actor.name : actor.type === 'channel' ? actor.channel : null,
  };
}

/**
 * The insert of a command's events as SQL for a statement of the caller's (create writes the ticket, its first
 * message and its events in one statement). `source` is a relation of one row per ticket (`ticketId`, `version`
 * are expressions over it); `toMerge` adds columns of the source to a kind's to_value (the ticket's number).
 */
export function eventInsertSql(o: { source: SQL; ticketId: SQL; version: SQL; actor: EventActor; at: Date; events: NewEvent[]; toMerge?: Partial<Record<TicketEventKind, SQL>> }): SQL {
  const a = actorColumns(o.actor);
  const input = o.events.map((e) => columns(checkEvent(e)));
  const merge = Object.entries(o.toMerge ?? {}).map(([kind, add]) => sql`when u.kind = ${kind} then u.to_value || ${add}`);
  const to = merge.length ? sql`case ${sql.join(merge, sql` `)} else u.to_value end` : sql`u.to_value`;
  return sql`
    insert into ${ticketEvents} (ticket_id, actor_id, actor_type, actor_name, kind, field, from_value, to_value, public, at, ticket_version)
    select ${o.ticketId}, ${a.id}::uuid, ${a.type}, ${a.name}, u.kind, u.field, u.from_value, ${to}, u.public, ${o.at.toISOString()}::timestamptz, ${o.version}
    from ${o.source}, rows from (jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as (kind text, field text, from_value jsonb, to_value jsonb, public boolean)) with ordinality as u(kind, field, from_value, to_value, public, n)
    order by u.n
    returning *`;
}

/** A creation's events as `eventInsertSql` will store them, with ids 1, 2, … standing for the ones it assigns. */
export function pendingEvents(o: { ticketId: string; version: number; actor: EventActor; at: Date; events: NewEvent[] }): TicketEvent[] {
  const a = actorColumns(o.actor);
  return o.events.map((e, i) => {
    const c = columns(e);
    return { id: i + 1, ticketId: o.ticketId, actorId: a.id, actorType: a.type, actorName: a.name, kind: c.kind, field: c.field, fromValue: c.from_value, toValue: c.to_value, public: c.public, at: o.at, ticketVersion: o.version };
  });
}

/**
 * The one writer: appends a ticket's events with the version the change made and its actor, and announces them
 * to live streams in the same statement (NOTIFY is delivered on commit only, so a rolled-back change is never
 * announced). Returns the stored rows.
 */
export async function appendEvents(ex: Executor, o: { ticketId: string; version: number; actor: EventActor; at: Date; events: NewEvent[] }): Promise<TicketEvent[]> {
  if (o.events.length === 0) return [];
  const insert = eventInsertSql({ source: sql`(select 1) as one`, ticketId: sql`${o.ticketId}::uuid`, version: sql`${o.version}::int`, actor: o.actor, at: o.at, events: o.events });
  const result = await ex.execute(sql`
    with ins as (${insert})
    select ins.*, pg_notify(${EVENTS_CHANNEL}, json_build_object('ticketId', ins.ticket_id, 'ids', json_build_array(ins.id))::text) is null as notified
    from ins order by ins.id`);
  return rowsOf<Record<string, unknown>>(result).map(eventFromRow);
}

/** An event row as raw SQL returns it (snake_case, ids maybe as strings). */
export function eventFromRow(r: Record<string, unknown>): TicketEvent {
  return {
    id: Number(r.id),
    ticketId: r.ticket_id as string,
    actorId: (r.actor_id as string | null) ?? null,
    actorType: (r.actor_type as EventActorType | null) ?? null,
    actorName: (r.actor_name as string | null) ?? null,
    kind: r.kind as string,
    field: (r.field as string | null) ?? null,
    fromValue: r.from_value ?? null,
    toValue: r.to_value ?? null,
    public: r.public as boolean,
    at: new Date(r.at as string | Date),
    ticketVersion: r.ticket_version === null || r.ticket_version === undefined ? null : Number(r.ticket_version),
  };
}

// ---- subscribers

/**
 * A subscriber reads a command's events; it never runs another ticket command inside that command's
 * transaction (the stream hands it the transaction to read and to enqueue, nothing else).
 * - a `step` runs inside the transaction, by `order`, for what must commit with the change (SLA clocks);
 * - a `job` (the default) returns the jobs the events cause; the stream enqueues them in the same transaction
 *   and they run after commit.
 * `kinds` limits which events it is called for (all by default).
 */
export type EventSubscriber =
  | {
      name: string;
      mode: 'step';
      order: number;
      kinds?: readonly TicketEventKind[];
      run: (tx: Tx, events: TicketEvent[], ticket: TicketRow) => Promise<void>;
      atCreation?: CreationRider;
    }
  | { name: string; mode?: 'job'; kinds?: readonly TicketEventKind[]; jobs: (tx: Tx, events: TicketEvent[], ticket: TicketRow) => Promise<NewJob[]> };

/**
 * A creation as it will be stored, before the statement that stores it: the ticket (its number is known inside the
 * statement only: 0 here; its organisation is the one the statement is expected to store, see `as_told` below) and
 * its events with ids 1, 2, … in order (the statement assigns the real ones).
 */
export type PendingCreation = { ticket: TicketRow; events: TicketEvent[] };

/**
 * What a step writes inside the creation statement itself, so that it costs a new ticket no round trip of its own
 * (reports: issue 13's ≤ 10 % on creation). It returns the body of a data-modifying CTE that may read `as_told` (the
 * inserted ticket: id, number, organization_id — a row only if the ticket was stored as the pending creation said;
 * otherwise no row, the rider writes nothing, and its step is called after the statement as for any change) and `e`
 * (the inserted events), or undefined to be run as a plain step. A step whose rider wrote is not called again for
 * those events.
 */
export type CreationRider = (ex: Executor, creation: PendingCreation) => Promise<SQL | undefined>;

/** The subscribers of the ticket event stream, called by every ticket command and by the SLA sweep. */
export class TicketEventStream {
  private readonly steps: Extract<EventSubscriber, { mode: 'step' }>[] = [];
  private readonly jobs: Exclude<EventSubscriber, { mode: 'step' }>[] = [];
  private replay: { without: ReadonlySet<string> } | undefined;

  constructor(private readonly clock: Clock) {}

  /**
   * Turns this stream into a replay of history (the demo seed's own services): the jobs its events would cause are
   * not enqueued — the mail, surveys and pages of a month ago are not sent now, nor run by a server sharing the
   * database while the replay goes on — and the steps named in `without` do not run: their caller rebuilds what
   * they keep once, at the end, for a fraction of a statement per command.
   */
  replayWithout(steps: readonly string[]): void {
    for (const name of steps) if (!this.steps.some((s) => s.name === name)) throw new Error(`No ticket event step named ${name}`);
    this.replay = { without: new Set(steps) };
  }

  /** Declares a subscriber; names are unique. Steps run in `order`, then jobs are collected in declaration order. */
  subscribe(s: EventSubscriber): void {
    if ([...this.steps, ...this.jobs].some((x) => x.name === s.name)) throw new Error(`A ticket event subscriber named ${s.name} is already declared`);
    if (s.mode === 'step') {
      this.steps.push(s);
      this.steps.sort((a, b) => a.order - b.order);
    } else this.jobs.push(s);
  }

  get size(): number {
    return this.steps.length + this.jobs.length;
  }

  names(): string[] {
    return [...this.steps.map((s) => `step:${s.name}`), ...this.jobs.map((s) => `job:${s.name}`)];
  }

  /** The riders of the steps for a creation's statement, and the names of the steps they stand in for. */
  async creationRiders(ex: Executor, creation: PendingCreation): Promise<{ ctes: SQL[]; done: ReadonlySet<string> }> {
    const ctes: SQL[] = [];
    const done = new Set<string>();
    for (const s of this.steps) {
      if (this.replay?.without.has(s.name)) continue;
      if (!s.atCreation || (s.kinds && !creation.events.some((e) => (s.kinds as readonly string[]).includes(e.kind)))) continue;
      const cte = await s.atCreation(ex, creation);
      if (cte) {
        ctes.push(cte);
        done.add(s.name);
      }
    }
    return { ctes, done };
  }

  /** Runs the steps (but those in `done`: their riders wrote in the creation statement), then enqueues the jobs. */
  async dispatch(tx: Tx, events: TicketEvent[], ticket: TicketRow, done?: ReadonlySet<string>): Promise<void> {
    if (events.length === 0) return;
    const pick = (kinds: readonly string[] | undefined) => (kinds ? events.filter((e) => kinds.includes(e.kind)) : events);
    for (const s of this.steps) {
      if (done?.has(s.name) || this.replay?.without.has(s.name)) continue;
      const mine = pick(s.kinds);
      if (mine.length) await s.run(tx, mine, ticket);
    }
    if (this.replay) return;
    for (const s of this.jobs) {
      const mine = pick(s.kinds);
      if (!mine.length) continue;
      for (const job of await s.jobs(tx, mine, ticket)) await enqueue(tx, this.clock, job);
    }
  }
}
