import { eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf, type SessionLock, type Tx } from '../../db/client.js';
import { copyField } from '../../db/copy-text.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, isLockTimeout } from '../../platform/errors.js';
import { policyOfTicket } from '../sla/sla.queries.js';
import { ALWAYS_OPEN, type BusinessClock, type SlaService } from '../sla/sla.service.js';
import {
  eventFromJson,
  eventsJsonAfter,
  eventsOfTickets,
  foldEventsOfTickets,
  foldPage,
  maxEventId,
  settledEventWatermark,
  ticketCount,
  ticketFacts,
  ticketSummaries,
  ticketsWithEventsBetween,
} from '../tickets/reports.queries.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { EventSubscriber, PendingCreation, TicketEvent } from '../tickets/events.js';
import type { StateCategory } from '../tickets/reports.queries.js';
import { type FoldEnv, fold, type TicketFacts, type TraceEntry } from './fold.js';
import { createRebuildTable, dropRebuildTable, indexRebuildTable, lockLiveTable, REBUILD_TABLE, swapRebuildTable } from './rebuild-table.js';
import { type TicketMetricsRow, ticketMetrics } from './reports.schema.js';
import { staleDays } from './rollups.js';
import type { ReportRollups } from './rollups.service.js';

/** What a rebuild is doing after its pages (for its progress lines). */
export type RebuildStep = 'indexing' | 'catching up' | 'swapping' | 'rollups';
/** The parts of the rebuild proper that it times (the rollups report their own time). */
type StepTimed = 'pages' | Exclude<RebuildStep, 'rollups'>;

const columns = getTableColumns(ticketMetrics);
/** Each column's value when a row leaves it out of its json: its default (0, '{}') if it has one, else null. */
const BASE = Object.entries(columns).map(([key, c]) => {
  const base: unknown = c.notNull && c.hasDefault ? (c.dataType === 'array' ? [] : c.default) : null;
  return { key: key as keyof TicketMetricsRow, name: c.name, base };
});
const BASE_JSON = JSON.stringify(Object.fromEntries(BASE.map((b) => [b.name, b.base])));
const isBase = (v: unknown, base: unknown) => v === base || (Array.isArray(v) && Array.isArray(base) && v.length === 0);

/** A row as json keyed by column names, without the columns at their base value (most of a row: it halves the json
 *  the rebuild builds and the server parses); json_populate_recordset fills them in from BASE_JSON. */
function rowJson(r: TicketMetricsRow): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const { key, name, base } of BASE) if (!isBase(r[key], base)) o[name] = r[key];
  return o;
}

// A staging row in COPY's text format: every column, in this order.
const COPY_KEYS = Object.keys(columns) as (keyof TicketMetricsRow)[];
const COPY_TARGET = `${REBUILD_TABLE} (${Object.values(columns)
  .map((c) => c.name)
  .join(', ')})`;

const CREATION_COLUMNS = Object.entries(columns) as [keyof TicketMetricsRow, (typeof columns)[keyof typeof columns]][];
const isDefault = (v: unknown) => v === null || v === 0 || (Array.isArray(v) && v.length === 0);
const param = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** A `ticket_metrics` row read as jsonb (`to_jsonb(m)`: column names, timestamps as text) into its typed shape. */
function rowFromJson(j: Record<string, unknown>): TicketMetricsRow {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(columns)) {
    const v = j[col.name] ?? null;
    out[key] = v !== null && col.dataType === 'date' ? new Date(v as string) : v;
  }
  return out as TicketMetricsRow;
}

// On conflict, every column but the key takes the new value.
const UPDATE_ALL = sql.raw(
  Object.values(columns)
    .filter((c) => c.name !== 'ticket_id')
    .map((c) => `${c.name} = excluded.${c.name}`)
    .join(', '),
);

/** The name of the reporting store's step in the ticket event stream. */
export const REPORTS_STEP = 'reports.metrics';

/**
 * The reporting store: `ticket_metrics` kept by a step of the ticket event stream (in the change's transaction,
 * after the SLA clocks so their met/breached events are folded too), rebuilt from the event log, and read back
 * with its reasons for "Why these numbers".
 */
export class ReportsStore {
  constructor(
    private readonly ctx: Ctx,
    private readonly settings: TicketSettingsService,
    private readonly sla: SlaService,
    private readonly rollups: ReportRollups,
  ) {}

  /** The in-transaction step: after the SLA clocks (order 10), every event. */
  listener(): EventSubscriber {
    return {
      name: REPORTS_STEP,
      mode: 'step',
      order: 20,
      run: (tx, events, ticket) => this.onEvents(tx, events, ticket),
      atCreation: (ex, creation) => this.atCreation(ex, creation),
    };
  }

  /**
   * A new ticket's row, written by the creation statement itself (its events are the ticket's first, so they fold
   * onto a blank row; the clock is the one the SLA step is about to start): no round trip of its own, which kept
   * creation ≥ 17 % slower on an idle machine. The statement supplies what only it knows: the ticket's number and
   * organisation (`as_told`: no row if the ticket was not stored with the organisation the clock was chosen for, and
   * then this step runs after the statement instead) and the last event id (`e`).
   */
  private async atCreation(ex: Executor, c: PendingCreation): Promise<SQL | undefined> {
    const clock = (await this.sla.clockOfNewTicket(c.ticket, ex)) ?? ALWAYS_OPEN;
    const row = fold(null, c.ticket, c.events, this.env(await this.categories(ex), clock));
    // Only the columns this row sets (the rest are their defaults: null, 0, '{}'), as typed parameters: a statement
    // that plans in a fraction of the time json_populate_record over all 47 columns takes.
    const known: Record<string, SQL> = { ticket_id: sql`as_told.id`, number: sql`as_told.number`, organization_id: sql`as_told.organization_id`, last_event_id: sql`(select max(id) from e)` };
    const set = CREATION_COLUMNS.filter(([key, c]) => c.name in known || !isDefault(row[key]));
    const values = set.map(([key, c]) => known[c.name] ?? sql`${sql.param(param(row[key]))}::${sql.raw(c.getSQLType())}`);
    return sql`
      insert into ${ticketMetrics} (${sql.raw(set.map(([, c]) => c.name).join(', '))})
      select ${sql.join(values, sql`, `)} from as_told
      on conflict (ticket_id) do nothing`;
  }

  private async categories(ex: Executor): Promise<(key: string) => StateCategory | undefined> {
    const states = new Map((await this.settings.listStates(ex)).map((s) => [s.key, s.category]));
    return (key) => states.get(key);
  }

  private async onEvents(tx: Tx, events: TicketEvent[], ticket: TicketFacts): Promise<void> {
    // A creation on an install without SLA policies: its events are the ticket's first, so they fold onto a blank
    // row with no read (one statement; the 24/7 clock). Should the ticket already have a row (an SLA event of this
    // change was handed in first and folded everything), that row has read further and the upsert leaves it.
    if (events.some((e) => e.kind === 'created') && !(await this.sla.hasPolicies(tx))) {
      await this.write(tx, [fold(null, ticket, events, this.env(await this.categories(tx), ALWAYS_OPEN))]);
      return;
    }
    // One read: the stored row, everything after what it has read (in order, not only the events handed in: the
    // SLA step dispatches its met/breached events, written after this change's, before this step sees the change's
    // own, and a ticket from before the store has its whole history to fold) and the SLA policy its clocks run on.
    const id = sql`${ticket.id}::uuid`;
    const [read] = rowsOf<{ row: Record<string, unknown> | null; events: Record<string, unknown>[]; policy_id: string | null }>(
      await tx.execute(sql`
        select to_jsonb(m) as row, ${eventsJsonAfter(id, sql`coalesce(m.last_event_id, 0)`)} as events, ${policyOfTicket(id)} as policy_id
        from (select 1) one left join ${ticketMetrics} m on m.ticket_id = ${id}`),
    );
    if (!read?.events.length) return;
    const clock = (await this.sla.clockOfPolicy(read.policy_id, tx)) ?? ALWAYS_OPEN;
    const row = read.row ? rowFromJson(read.row) : null;
    const next = fold(row, ticket, read.events.map(eventFromJson), this.env(await this.categories(tx), clock));
    await this.write(tx, [next]);
    // Only a change to an older ticket (a milestone before yesterday) costs a statement more: its days' rollups go stale.
    await this.rollups.markStale(tx, staleDays(row, next, this.ctx.clock.now()));
  }

  private env(categoryOf: FoldEnv['categoryOf'], clock: BusinessClock): FoldEnv {
    return { categoryOf, calendarId: clock.calendarId, businessSeconds: clock.seconds };
  }

  /**
   * Upserts rows, as one json parameter expanded by json_populate_recordset per 5,000 (a multi-row VALUES of 47
   * columns was most of the rebuild's write time; json parses faster than jsonb for a single pass); an older fold
   * never overwrites a newer one (a rebuild racing a live change), and a row that comes out the same is not
   * rewritten. `into` the staging table of a rebuild, whose rows it replaces when they are caught up.
   */
  private async write(ex: Executor, rows: TicketMetricsRow[], into: SQL = sql`${ticketMetrics}`): Promise<void> {
    for (let i = 0; i < rows.length; i += 5000) {
      const json = rows.slice(i, i + 5000).map(rowJson);
      await ex.execute(sql`
        insert into ${into} as m select * from json_populate_recordset(json_populate_record(null::${ticketMetrics}, ${BASE_JSON}::json), ${JSON.stringify(json)}::json)
        on conflict (ticket_id) do update set ${UPDATE_ALL} where m.last_event_id <= excluded.last_event_id and m is distinct from excluded`);
    }
  }

  /**
   * Appends rows to the staging table of a rebuild (no key yet, nothing to conflict with) with COPY: its text
   * format costs the server a fifth of what json_populate_recordset's parse did, and Node less than the json.
   */
  private async append(rows: TicketMetricsRow[]): Promise<void> {
    let text = '';
    for (const r of rows) {
      for (let i = 0; i < COPY_KEYS.length; i++) text += (i ? '\t' : '') + copyField(r[COPY_KEYS[i] as keyof TicketMetricsRow]);
      text += '\n';
    }
    if (text) await this.ctx.database.copyIn(COPY_TARGET, text);
  }

  /**
   * Recomputes every ticket's row from the event log into a staging table and puts it in the live table's place,
   * without losing a change made meanwhile (the live fold keeps writing the live table until the swap):
   *  1. a watermark W0: every event up to it is committed (`settledEventWatermark`);
   *  2. every ticket's row folded from its events into the unindexed staging table, a page of tickets at a time
   *     (one ordered range read of their events, one fold each), the next page read and the previous one written
   *     while a page is folded; its indexes built once it is full;
   *  3. catch-up: the tickets with events above W0, refolded from all their events (W1, the watermark then);
   *  4. the swap, in one transaction with the live table locked: the tickets with events above W1, refolded, and
   *     the staging table renamed into place. A change still in flight then (its events written, its fold waiting
   *     for the lock) folds itself onto the new table when it gets the lock.
   * Returns how many tickets and how long it took. Slow readers or writers of the live table make the lock wait;
   * the swap gives up after `lockTimeoutMs` (the live table serving meanwhile), catches up again and retries.
   */
  async rebuild(
    o: {
      pageSize?: number;
      onProgress?: (done: number, total: number) => void | Promise<void>;
      onStep?: (step: RebuildStep) => void | Promise<void>;
      lockTimeoutMs?: number;
      /** Key ranges of tickets read and folded side by side (default: 2 on a server, 1 embedded). */
      lanes?: number;
      /** How long to wait for transactions writing events to end before reading (settledEventWatermark). */
      settleDeadlineMs?: number;
    } = {},
  ): Promise<{ tickets: number; ms: number; caughtUp: number; stepMs: Record<StepTimed, number>; rollups: { days: number; ms: number } }> {
    // One rebuild at a time: a second one would drop the first's staging table under it (and the first then swap in
    // the second's half-filled one). Held by a session of its own, so a rebuild that dies frees it.
    const lock = await this.ctx.database.trySessionLock('lifeline.reports_rebuild');
    if (!lock) throw new RebuildRunningError();
    try {
      return await this.rebuildLocked(o, lock);
    } finally {
      await lock.release();
    }
  }

  private async rebuildLocked(o: Parameters<ReportsStore['rebuild']>[0] & {}, lock: SessionLock): Promise<Awaited<ReturnType<ReportsStore['rebuild']>>> {
    const started = performance.now();
    const db = this.ctx.db;
    const total = await ticketCount(db);
    const categoryOf = await this.categories(db);
    const pageSize = o.pageSize ?? 5000;
    await createRebuildTable(db);
    try {
      const from = await settledEventWatermark(db, { deadlineMs: o.settleDeadlineMs });
      // On the server, key ranges of tickets are read, folded and written side by side (`lanes`): one lane's
      // statements run while another's pages are folded here.
      const lanes = Math.max(1, Math.min(16, Math.trunc(o.lanes ?? (this.ctx.database.kind === 'postgres' ? 2 : 1))));
      let done = 0;
      const progress = async (n: number) => {
        done += n;
        await o.onProgress?.(done, total);
      };
      // Progress is reported in order (a callback may be slow: the tests change tickets in it).
      let reported = Promise.resolve();
      const report = (n: number) => {
        reported = reported.then(() => progress(n));
        return reported;
      };
      // A lane that fails stops the others at their next page, and the rebuild fails once none is writing any more
      // (the staging table is dropped only then, and the lock released).
      const stop = { stopped: false };
      const results = await Promise.allSettled(
        laneBounds(lanes).map(([from, before]) =>
          this.fillLane(from, before, pageSize, categoryOf, report, stop).catch((err: unknown) => {
            stop.stopped = true;
            throw err;
          }),
        ),
      );
      const failure = results.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      const steps: Record<StepTimed, number> = { pages: performance.now() - started, indexing: 0, 'catching up': 0, swapping: 0 };
      const timed = async <T>(step: Exclude<RebuildStep, 'rollups'>, run: () => Promise<T>): Promise<T> => {
        await o.onStep?.(step);
        const t0 = performance.now();
        try {
          return await run();
        } finally {
          steps[step] += performance.now() - t0;
        }
      };
      await timed('indexing', () => indexRebuildTable(db));
      // Tickets changed while the pages were read, refolded now; then again in the swap, whatever changed since.
      let caughtUp = 0;
      let upTo = from;
      for (let attempt = 1; ; attempt++) {
        caughtUp += await timed('catching up', async () => {
          const settled = await settledEventWatermark(db, { deadlineMs: o.settleDeadlineMs });
          const n = await this.catchUp(db, upTo, settled, categoryOf);
          upTo = settled;
          return n;
        });
        try {
          caughtUp += await timed('swapping', () => db.transaction(async (tx) => {
            await tx.execute(sql`select set_config('lock_timeout', ${`${o.lockTimeoutMs ?? 300}ms`}, true)`);
            await lockLiveTable(tx);
            const n = await this.catchUp(tx, upTo, await maxEventId(tx), categoryOf);
            // The lock's session may have ended since it was taken (and another rebuild taken the lock and remade
            // the staging table under this one): then this rebuild's table is not its own to swap in.
            if (!(await lock.held())) throw new RebuildLockLostError();
            await swapRebuildTable(tx);
            return n;
          }));
          break;
        } catch (err) {
          // The lock was not granted in time (55P03): the live table went on serving; catch up and try again. The wait is
          // short (300 ms by default) because every ticket write queues behind it.
          if (!isLockTimeout(err) || attempt >= 20) throw err;
        }
      }
      const ms = Math.round(performance.now() - started);
      const stepMs = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v)])) as typeof steps;
      // The per-day rollups are derived from the store: rebuilt from the new table whole, timed apart.
      await o.onStep?.('rollups');
      const rollups = await this.rollups.rebuildAll();
      return { tickets: done, ms, caughtUp, stepMs, rollups };
    } finally {
      // After a failure the staging table goes (after the swap there is none left to drop).
      await dropRebuildTable(db);
    }
  }

  /**
   * Folds the tickets with ids in [from, before) into the staging table, a page at a time: the next page is read
   * while this one is folded, and this one's COPY stays in flight while the next is folded (on the server each on a
   * connection of its own). A page is one statement: the tickets' facts with their events aggregated per ticket.
   */
  private async fillLane(
    from: string | null,
    before: string | null,
    pageSize: number,
    categoryOf: FoldEnv['categoryOf'],
    report: (n: number) => Promise<void>,
    stop: { stopped: boolean },
  ): Promise<void> {
    const load = async (after: string | null) => {
      const { facts: page, events } = await foldPage(this.ctx.database, { after, from, before }, pageSize);
      if (!page.length) return null;
      const clocks = await this.sla.businessClocks(
        page.map((t) => t.id),
        this.ctx.db,
      );
      return { page, events, clocks };
    };
    let next = load(null);
    let writing: Promise<number> | undefined;
    const written = async () => {
      if (writing !== undefined) await report(await writing);
    };
    for (;;) {
      const loaded = await next;
      if (!loaded || stop.stopped) break;
      const { page, events, clocks } = loaded;
      next = load(page[page.length - 1]?.id ?? null);
      // Awaited at the top of the loop; marked handled now so a failed read while this page is written is not an unhandled rejection.
      next.catch(() => {});
      const rows = this.foldAll(page, events, clocks, categoryOf);
      await written();
      writing = this.append(rows).then(() => page.length);
      // Awaited on the next turn or after the loop; handled now so a failure meanwhile is not an unhandled rejection.
      writing.catch(() => {});
    }
    await written();
  }

  /** Rows for a page of tickets from their events (by ticket, then id); tickets without events get none. */
  private foldAll(page: TicketFacts[], events: TicketEvent[], clocks: Map<string, BusinessClock>, categoryOf: FoldEnv['categoryOf']): TicketMetricsRow[] {
    const byTicket = new Map<string, TicketEvent[]>();
    for (const e of events) {
      const list = byTicket.get(e.ticketId);
      if (list) list.push(e);
      else byTicket.set(e.ticketId, [e]);
    }
    const rows: TicketMetricsRow[] = [];
    for (const t of page) {
      const history = byTicket.get(t.id);
      if (history?.length) rows.push(fold(null, t, history, this.env(categoryOf, clocks.get(t.id) ?? ALWAYS_OPEN)));
    }
    return rows;
  }

  /**
   * The staging rows of the tickets with events of id in (`after`, `upTo`], folded again from all their events (a
   * ticket deleted meanwhile loses its row). Returns how many tickets that was.
   */
  private async catchUp(ex: Executor, after: number, upTo: number, categoryOf: FoldEnv['categoryOf']): Promise<number> {
    const ids = await ticketsWithEventsBetween(ex, after, upTo);
    if (!ids.length) return 0;
    const [facts, events, clocks] = await Promise.all([ticketFacts(ex, ids), foldEventsOfTickets(ex, ids), this.sla.businessClocks(ids, ex)]);
    await this.write(ex, this.foldAll(facts, events, clocks, categoryOf), sql.raw(REBUILD_TABLE));
    const gone = ids.filter((id) => !facts.some((f) => f.id === id));
    if (gone.length) await ex.execute(sql`delete from ${sql.raw(REBUILD_TABLE)} where ticket_id = any(${sql.param(gone)}::uuid[])`);
    return ids.length;
  }

  /** "Why these numbers": the ticket's row as stored, and the events that made each number, folded again. */
  async explain(actor: Actor, ticketId: string): Promise<{ metrics: TicketMetricsRow | null; trace: TraceEntry[] }> {
    const db = this.ctx.db;
    const [visible] = await ticketSummaries(db, actor, [ticketId]);
    if (!visible) throw new AppError('TICKET_NOT_FOUND', 'No such ticket');
    const [facts] = await ticketFacts(db, [ticketId]);
    const [stored] = await db.select().from(ticketMetrics).where(eq(ticketMetrics.ticketId, ticketId));
    const trace: TraceEntry[] = [];
    if (facts) {
      const clock = (await this.sla.businessClocks([ticketId], db)).get(ticketId) ?? ALWAYS_OPEN;
      fold(null, facts, await eventsOfTickets(db, [ticketId]), this.env(await this.categories(db), clock), trace);
    }
    return { metrics: stored ?? null, trace };
  }
}

/** `lanes` ranges of ticket ids covering them all, as [from, before) with null for open ends: uuids split evenly by their first 32 bits. */
export function laneBounds(lanes: number): [string | null, string | null][] {
  const cut = (i: number) => `${Math.floor((i * 0x1_0000_0000) / lanes).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`;
  return Array.from({ length: lanes }, (_, i) => [i === 0 ? null : cut(i), i === lanes - 1 ? null : cut(i + 1)]);
}

/** The rebuild's lock was lost before its swap (its database session ended); the live table is left as it was. */
export class RebuildLockLostError extends Error {
  constructor() {
    super("the reports rebuild lost its lock (its database session ended) before swapping; the live table is unchanged, run the rebuild again");
    this.name = 'RebuildLockLostError';
  }
}

/** Another `lifeline reports rebuild` holds the rebuild's lock (in this process or another). */
export class RebuildRunningError extends Error {
  constructor() {
    super('another reports rebuild is running (this one changed nothing); wait for it to finish');
    this.name = 'RebuildRunningError';
  }
}

