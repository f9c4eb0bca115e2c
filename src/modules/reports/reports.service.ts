import { neutraliseFormula } from '../../platform/csv.js';
import { and, type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, openDatabase, rowsOf } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, isQueryCanceled } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import { CHANNELS, ticketSummaries, visibleTicketIds } from '../tickets/reports.queries.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { METRICS, METRICS_BY_KEY, type MetricDef } from './metrics/index.js';
import type { MetricState } from './metrics/types.js';
import { addDays, DIMENSIONS, dayOf, firstLiveDay, ROLLUP_TIME_KEYS, type StateScan, startOf, stateScanSql } from './rollups.js';
import type { ReportRollups } from './rollups.service.js';
import { ticketMetrics as m } from './reports.schema.js';

/** The longest period one report may span (a year and a bit: this year against last year's, by month). */
export const MAX_PERIOD_DAYS = 400;
const DAY = 86_400_000;

/** Groupings every metric has, as SQL over ticket_metrics given the metric's date. */
const GROUPINGS: Record<string, (def: MetricDef) => SQL> = {
  day: (d) => sql`to_char(date_trunc('day', ${d.date} at time zone 'UTC'), 'YYYY-MM-DD')`,
  week: (d) => sql`to_char(date_trunc('week', ${d.date} at time zone 'UTC'), 'YYYY-MM-DD')`,
  month: (d) => sql`to_char(date_trunc('month', ${d.date} at time zone 'UTC'), 'YYYY-MM')`,
  group: () => sql`${m.groupId}::text`,
  agent: () => sql`${m.assigneeId}::text`,
  priority: () => sql`${m.priorityId}::text`,
  channel: () => sql`${m.channel}`,
  organization: () => sql`${m.organizationId}::text`,
  type: () => sql`${m.type}`,
  product_area: () => sql`${m.productArea}`,
  tag: () => sql`t.tag`,
};

/** The instants [start, end) a time grouping's key stands for (UTC, as GROUPINGS cut them); undefined: not a key it makes. */
const TIME_GROUP_RANGES: Record<string, (v: string) => [Date, Date] | undefined> = {
  day: (v) => dayRange(v, 1),
  week: (v) => dayRange(v, 7),
  month: (v) => {
    if (!/^\d{4}-\d{2}$/.test(v)) return undefined;
    const start = new Date(`${v}-01T00:00:00Z`);
    if (Number.isNaN(start.getTime())) return undefined;
    return [start, new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))];
  },
};
function dayRange(v: string, days: number): [Date, Date] | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const start = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(start.getTime()) ? undefined : [start, new Date(start.getTime() + days * DAY)];
}

/** A drill-down cursor as the list gave it: the last row's date (microseconds since 1970, exact) and ticket id. */
function parseCursor(cursor: string): { us: string; id: string } {
  const match = /^(-?\d{1,17})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(cursor);
  if (!match) throw new AppError('INVALID_REPORT_QUERY', 'Not a cursor this list gave', { fields: [{ path: 'query.cursor', message: 'not a cursor this list gave' }] });
  return { us: match[1] as string, id: match[2] as string };
}

/** Filters, each a query parameter: its check and its SQL. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FILTERS: Record<string, { check: (v: string) => string | undefined; sql: (v: string) => SQL }> = {
  group: { check: uuid, sql: (v) => sql`${m.groupId} = ${v}::uuid` },
  agent: { check: uuid, sql: (v) => sql`${m.assigneeId} = ${v}::uuid` },
  priority: { check: uuid, sql: (v) => sql`${m.priorityId} = ${v}::uuid` },
  organization: { check: uuid, sql: (v) => sql`${m.organizationId} = ${v}::uuid` },
  channel: { check: (v) => ((CHANNELS as readonly string[]).includes(v) ? undefined : `not a channel (one of ${CHANNELS.join(', ')})`), sql: (v) => sql`${m.channel} = ${v}` },
  type: { check: short, sql: (v) => sql`${m.type} = ${v}` },
  tag: { check: short, sql: (v) => sql`${m.tags} @> array[${v}]::text[]` },
};
function uuid(v: string): string | undefined {
  return UUID.test(v) ? undefined : 'expected an id (uuid)';
}
function short(v: string): string | undefined {
  return v.length > 0 && v.length <= 100 ? undefined : 'expected 1 to 100 characters';
}
const OTHER_PARAMS = ['from', 'to', 'groupBy', 'format', 'cursor', 'limit', 'value'];
export const REPORT_FILTERS = Object.keys(FILTERS);
export const REPORT_GROUPINGS = ['none', ...Object.keys(GROUPINGS)];

export type ReportRequest = { metric: MetricDef; from: Date; to: Date; groupBy: string; filters: Record<string, string> };
export type Values = Record<string, number | null>;
export type Report = {
  metric: ReturnType<typeof describe>;
  from: string;
  to: string;
  groupBy: string;
  filters: Record<string, string>;
  values: Values;
  previous: { from: string; to: string; values: Values };
  groups: { key: string | null; label: string; values: Values; previous?: Values }[];
};

/** Reads of the reporting store: each metric for a period, grouped and filtered; the tickets behind a number. */
export class ReportsService {
  private replica: Promise<Database> | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly settings: TicketSettingsService,
    private readonly rollups: ReportRollups,
  ) {}

  /** Whether reports read the per-day rollups where they can (off: every day live; the benchmark compares both). */
  useRollups = true;

  /** The metric definitions, for the app's "how is this counted" and docs/metrics.md. */
  definitions() {
    return METRICS.map(describe);
  }

  /** Parses a report's query parameters; anything unknown or out of range is a specific 400. */
  parse(metricKey: string, q: Record<string, unknown>): ReportRequest {
    const metric = METRICS_BY_KEY.get(metricKey);
    if (!metric) throw new AppError('UNKNOWN_METRIC', `There is no metric ${metricKey}; GET /api/v1/reports lists them`);
    const bad = (path: string, message: string, detail?: string) => new AppError('INVALID_REPORT_QUERY', detail ?? message, { fields: [{ path: `query.${path}`, message }] });
    for (const key of Object.keys(q)) {
      if (!OTHER_PARAMS.includes(key) && !(key in FILTERS)) throw bad(key, `unknown filter ${key} (filters: ${REPORT_FILTERS.join(', ')})`);
      if (metric.source && key in FILTERS) throw bad(key, `${metric.title} counts incidents, not tickets: it takes no ticket filters`);
    }
    const str = (key: string): string | undefined => {
      const v = q[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw bad(key, 'given more than once');
      return v;
    };
    const now = this.ctx.clock.now();
    const time = (key: string, fallback: Date): Date => {
      const v = str(key);
      if (v === undefined) return fallback;
      const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v) ? new Date(v) : new Date(Number.NaN);
      if (Number.isNaN(d.getTime())) throw bad(key, 'expected a date (2026-03-01) or an ISO-8601 time with offset');
      return d;
    };
    const to = time('to', now);
    const from = time('from', new Date(to.getTime() - 30 * DAY));
    if (to <= from) throw bad('to', 'the period ends before it starts', `The period ends (${to.toISOString()}) before it starts (${from.toISOString()})`);
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY) throw bad('from', `a report spans at most ${MAX_PERIOD_DAYS} days`, `The period is ${Math.ceil((to.getTime() - from.getTime()) / DAY)} days; a report spans at most ${MAX_PERIOD_DAYS}`);
    const groupBy = str('groupBy') ?? metric.defaultGroupBy ?? 'none';
    const groupings = groupingsOf(metric);
    if (!groupings.includes(groupBy)) throw bad('groupBy', `unknown grouping ${groupBy} (one of ${groupings.join(', ')})`);
    const filters: Record<string, string> = {};
    for (const [key, f] of Object.entries(FILTERS)) {
      const v = str(key);
      if (v === undefined) continue;
      const problem = f.check(v);
      if (problem) throw bad(key, problem);
      filters[key] = v;
    }
    return { metric, from, to, groupBy, filters };
  }

  private where(actor: Actor, r: ReportRequest, from: Date, to: Date): SQL {
    const d = r.metric;
    const period = d.period ? d.period(from, to) : sql`${d.date} >= ${from.toISOString()}::timestamptz and ${d.date} < ${to.toISOString()}::timestamptz`;
    if (d.source) return and(period, d.where) as SQL;
    return and(period, d.where, ...Object.entries(r.filters).map(([k, v]) => FILTERS[k]?.sql(v)), visibleTicketIds(actor, sql`${m.ticketId}`)) as SQL;
  }

  private key(r: ReportRequest): SQL | undefined {
    if (r.groupBy === 'none') return undefined;
    const extra = r.metric.extraGroupings?.[r.groupBy];
    if (extra) return extra(r.from, r.to);
    return GROUPINGS[r.groupBy]?.(r.metric);
  }

  private from(r: ReportRequest): SQL {
    if (r.metric.source) return r.metric.source;
    const rows = r.metric.join ? sql`${m} join ${r.metric.join}` : sql`${m}`;
    return r.groupBy === 'tag' ? sql`${rows} cross join lateral unnest(${m.tags}) as t(tag)` : rows;
  }

  private select(values: Record<string, SQL>): SQL {
    return sql.join(
      Object.entries(values).map(([name, v]) => sql`${v} as ${sql.identifier(name)}`),
      sql`, `,
    );
  }

  /**
   * A metric for a period: its values, the previous period's, and per group when grouped. One scan where it can:
   * the current and the previous period are read together (their union of dates, split by `cur`), and the total
   * and the groups are one `grouping sets` aggregate (the tag grouping excepted: a ticket is in several of its
   * groups, so its total is a scan of its own). Metrics whose period is not a range of their date (the backlog: open
   * at the period's end) read each period apart.
   */
  async run(actor: Actor, r: ReportRequest): Promise<Report> {
    const span = r.to.getTime() - r.from.getTime();
    const prevFrom = new Date(r.from.getTime() - span);
    const d = r.metric;
    const key = this.key(r);
    const plan = this.rollupPlan(actor, r);
    const rows = await this.read(async (db) => {
      const fromRollups = plan && (await this.stateRows(db, r, prevFrom, plan));
      if (fromRollups) return fromRollups;
      const scan = async (o: { from: Date; to: Date; split?: Date; grouped: boolean; totals: boolean }) =>
        rowsOf<ScanRow>(await db.execute(this.scanSql(actor, r, { ...o, key: o.grouped ? key : undefined })));
      // One after another: on the server they share the transaction that carries the time budget (one connection).
      if (d.period) {
        const current = await scan({ from: r.from, to: r.to, grouped: !!key, totals: true });
        const previous = await scan({ from: prevFrom, to: r.from, grouped: !!key && !!d.top, totals: true });
        return [...current.map((x) => ({ ...x, cur_: true })), ...previous.map((x) => ({ ...x, cur_: false }))];
      }
      const split = r.from;
      if (r.groupBy === 'tag') {
        const totals = await scan({ from: prevFrom, to: r.to, split, grouped: false, totals: true });
        return [...totals, ...(await scan({ from: prevFrom, to: r.to, split, grouped: true, totals: false }))];
      }
      return scan({ from: prevFrom, to: r.to, split, grouped: !!key, totals: true });
    });
    // A period with no rows has no aggregate row: its values are those of an empty aggregate (0 counts, null averages).
    let empty: Values | undefined;
    const totalOf = async (cur: boolean) => {
      const row = rows.find((x) => x.cur_ === cur && x.total_);
      if (row) return valuesOf(row);
      empty ??= numbers(rowsOf<Values>(await this.read(async (db) => db.execute(sql`select ${this.select(d.values)} from ${this.from({ ...r, groupBy: 'none' })} where false`)))[0] ?? {});
      return empty;
    };
    const values = await totalOf(true);
    const previous = await totalOf(false);
    const groupRows = (cur: boolean) => rows.filter((x) => x.cur_ === cur && !x.total_ && (!d.top || Number(x.rank_) <= (d.top ?? 0)));
    const groups = groupRows(true);
    const before = new Map(d.top ? groupRows(false).map((g) => [g.key_, g]) : []);
    const labels = await this.labels(r.groupBy, groups.map((g) => g.key_));
    return {
      metric: describe(d),
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      groupBy: r.groupBy,
      filters: r.filters,
      values,
      previous: { from: prevFrom.toISOString(), to: r.from.toISOString(), values: previous },
      groups: groups.map((g) => {
        const p = before.get(g.key_);
        return { key: g.key_, label: labels.get(g.key_ ?? '') ?? g.key_ ?? '(none)', values: valuesOf(g), ...(d.top ? { previous: p ? valuesOf(p) : {} } : {}) };
      }),
    };
  }

  /**
   * One aggregate over [from, to): split at `split` into the current period (`cur`) and the previous one (without
   * `split` every row is current); with `key`, per group too (`grouping sets`), and `totals: false` for the groups
   * alone. Groups come in key order, top metrics' ranked by their headline (`rank`) within their period.
   */
  private scanSql(actor: Actor, r: ReportRequest, o: { from: Date; to: Date; split?: Date; key: SQL | undefined; totals: boolean }): SQL {
    const d = r.metric;
    const cur = o.split ? sql`(${d.date}) >= ${o.split.toISOString()}::timestamptz` : sql`true`;
    const source = o.key ? this.from(r) : this.from({ ...r, groupBy: 'none' });
    const by = o.key ? (o.totals ? sql`grouping sets ((c.cur), (c.cur, k.key))` : sql`c.cur, k.key`) : sql`c.cur`;
    const inner = sql`select c.cur as cur_, ${o.key ? sql`grouping(k.key) = 1` : sql`true`} as total_, ${o.key ? sql`k.key` : sql`null::text`} as key_, ${this.select(d.values)}
      from ${source} cross join lateral (select ${cur} as cur) c ${o.key ? sql`cross join lateral (select (${o.key})::text as key) k` : sql``}
      where ${this.where(actor, r, o.from, o.to)} group by ${by}`;
    return ranked(d, inner);
  }

  /**
   * Which rollup rows a report can read (a dimension, and one value of it when filtered), or undefined when it must
   * read live: a metric without state, an actor who does not see every ticket, more than one filter, a filter and a
   * grouping by another dimension (or by tag: the tags of the tickets with a tag), a grouping of the metric's own.
   */
  private rollupPlan(actor: Actor, r: ReportRequest): RollupPlan | undefined {
    const d = r.metric;
    if (!this.useRollups || !d.state || d.period || d.source || d.join) return undefined;
    if (visibleTicketIds(actor, sql`${m.ticketId}`) !== undefined) return undefined;
    const filters = Object.entries(r.filters);
    if (filters.length > 1) return undefined;
    const [f] = filters;
    const dim = r.groupBy in DIMENSIONS || r.groupBy === 'tag' ? r.groupBy : undefined;
    if (!dim && !(r.groupBy in ROLLUP_TIME_KEYS) && r.groupBy !== 'none') return undefined;
    if (f && (!(f[0] in DIMENSIONS) && f[0] !== 'tag')) return undefined;
    if (f && dim && (dim !== f[0] || dim === 'tag')) return undefined;
    // Ids are stored as uuid text (lower case); a filter may give them in either case.
    if (f) return { dim: f[0], value: FILTERS[f[0]]?.check === uuid ? f[1].toLowerCase() : f[1] };
    return { dim: dim ?? 'none' };
  }

  /**
   * A report's rows from the rollups of the whole days before yesterday that are built and clean, and live over the
   * rest of [previous period's start, end) — the same rows `run` reads live, from the same formulas.
   */
  private async stateRows(db: Executor, r: ReportRequest, prevFrom: Date, plan: RollupPlan): Promise<ScanRow[] | undefined> {
    const d = r.metric as MetricDef & { state: MetricState };
    const live = firstLiveDay(this.ctx.clock.now());
    // Whole UTC days (and calendar months, unless grouped by day or week) inside the previous period or the current
    // one (a day across `from` is in neither), before yesterday.
    const candidateDays: string[] = [];
    const candidateMonths: string[] = [];
    const byMonth = r.groupBy !== 'day' && r.groupBy !== 'week';
    for (const [a, b] of [
      [prevFrom, r.from],
      [r.from, r.to],
    ] as const) {
      const first = startOf(dayOf(a)).getTime() === a.getTime() ? dayOf(a) : addDays(dayOf(a), 1);
      for (let day = first; day < live && startOf(addDays(day, 1)) <= b; day = addDays(day, 1)) {
        candidateDays.push(day);
        if (byMonth && day.endsWith('-01') && nextMonth(day) <= live && startOf(nextMonth(day)) <= b) candidateMonths.push(day);
      }
    }
    const months = [...(await this.rollups.usableMonths(db, candidateMonths))].sort();
    const inMonth = (day: string) => months.some((m) => day >= m && day < nextMonth(m));
    const days = [...(await this.rollups.usableDays(db, candidateDays.filter((day) => !inMonth(day))))];
    // The stretches the rollups cover, in order; the rest of [prevFrom, to) is read live.
    const covered = [...months.map((m) => [m, nextMonth(m)] as const), ...days.map((day) => [day, addDays(day, 1)] as const)].sort((x, y) => x[0].localeCompare(y[0]));
    const ranges: [Date, Date][] = [];
    let at = prevFrom;
    for (const [from, to] of covered) {
      if (startOf(from) > at) ranges.push([at, startOf(from)]);
      at = startOf(to);
    }
    if (at < r.to) ranges.push([at, r.to]);
    const inRanges = ranges.length
      ? sql.join(
          ranges.map(([a, b]) => sql`((${d.date}) >= ${a.toISOString()}::timestamptz and (${d.date}) < ${b.toISOString()}::timestamptz)`),
          sql` or `,
        )
      : sql`false`;
    const base = {
      def: d,
      liveFrom: this.from({ ...r, groupBy: 'none' }),
      liveWhere: and(sql`(${inRanges})`, d.where, ...Object.entries(r.filters).map(([k, v]) => FILTERS[k]?.sql(v))) as SQL,
      liveCur: sql`(${d.date}) >= ${r.from.toISOString()}::timestamptz`,
      days,
      months,
      curDay: dayOf(r.from),
      dim: plan.dim,
      dimValue: plan.value,
      totals: true,
    };
    const scan = async (s: StateScan) => rowsOf<ScanRow>(await db.execute(ranked(d, stateScanSql(s))));
    const live_ = (g: string) => (GROUPINGS[g] as (def: MetricDef) => SQL)(d);
    if (r.groupBy === 'none') return scan(base);
    if (r.groupBy in ROLLUP_TIME_KEYS) return scan({ ...base, key: { live: live_(r.groupBy), rollup: ROLLUP_TIME_KEYS[r.groupBy] as SQL } });
    if (r.groupBy !== 'tag') return scan({ ...base, key: { live: live_(r.groupBy), rollup: sql`r.value` } });
    // A ticket is in each of its tags' groups: the totals are the tickets' own (dimension none).
    const totals = await scan({ ...base, dim: 'none', dimValue: undefined });
    return [...totals, ...(await scan({ ...base, liveFrom: this.from(r), dim: 'tag', key: { live: live_('tag'), rollup: sql`r.value` }, totals: false }))];
  }

  /**
   * The tickets behind a number: those the metric counts in the period (and in one group when `value` names it),
   * newest first by the metric's date (then by ticket id), a page at a time; only tickets the actor may see. Paged by
   * keyset (the cursor is the last row's date and id), so every page is a range of the date's index read backwards
   * and stopped at the page's end: the first page of a month of a million tickets reads ~50 rows, not the month
   * (an offset page sorted the whole period, and `distinct` over the tag grouping's unnest did too). No total.
   */
  async tickets(actor: Actor, r: ReportRequest, o: { value?: string; cursor?: string; limit: number }) {
    const d = r.metric;
    if (d.source) throw new AppError('INVALID_REPORT_QUERY', `${d.title} counts incidents, not tickets: see them under Incidents`, { fields: [{ path: 'params.metric', message: 'has no tickets behind it' }] });
    const key = this.key(r);
    if (o.value !== undefined && !key) throw new AppError('INVALID_REPORT_QUERY', 'value picks a group: give groupBy too', { fields: [{ path: 'query.value', message: 'needs groupBy' }] });
    const after = o.cursor === undefined ? undefined : parseCursor(o.cursor);
    const at = sql`(${d.date})`;
    const conditions: (SQL | undefined)[] = [this.where(actor, r, r.from, r.to), sql`${at} is not null`];
    if (key && o.value !== undefined) conditions.push(...this.inGroup(r, key, o.value, at));
    if (after) {
      // (date, id) < the cursor's, written so the date's part is an index bound.
      const t = sql`('epoch'::timestamptz + ${after.us}::bigint * interval '1 microsecond')`;
      conditions.push(sql`${at} <= ${t}`, sql`(${at} < ${t} or ${m.ticketId} < ${after.id}::uuid)`);
    }
    // Not this.from(r): the tag grouping's unnest gives a ticket once per tag (inGroup reads the array instead).
    const rows = await this.read(async (db) =>
      rowsOf<{ ticket_id: string; at: string | Date; us: string | number; value: number | null }>(
        await db.execute(
          sql`select ${m.ticketId} as ticket_id, ${at} as at, (extract(epoch from ${at}) * 1000000)::bigint as us, (${d.ticketValue})::float8 as value
              from ${this.from({ ...r, groupBy: 'none' })} where ${and(...conditions)}
              order by ${at} desc, ${m.ticketId} desc limit ${o.limit + 1}`,
        ),
      ),
    );
    const page = rows.slice(0, o.limit);
    const summaries = new Map((await ticketSummaries(this.ctx.db, actor, page.map((p) => p.ticket_id))).map((s) => [s.id, s]));
    const last = page[page.length - 1];
    return {
      items: page.flatMap((p) => {
        const t = summaries.get(p.ticket_id);
        return t ? [{ ...t, createdAt: t.createdAt.toISOString(), at: new Date(p.at).toISOString(), value: p.value === null ? null : Number(p.value) }] : [];
      }),
      nextCursor: rows.length > o.limit && last ? `${String(last.us)}_${last.ticket_id}` : null,
    };
  }

  /**
   * A drill-down's group: the grouping's key equal to `value`, and for a grouping by day, week or month also the
   * date range that value stands for (the same rows; it lets the index read only that day). The tag grouping reads
   * the tags array (a ticket once, not once per tag); no ticket has the empty tag group.
   */
  private inGroup(r: ReportRequest, key: SQL, value: string, at: SQL): SQL[] {
    if (r.groupBy === 'tag') return [value === '' ? sql`false` : sql`${m.tags} @> array[${value}]::text[]`];
    if (value === '') return [sql`${key} is null`];
    const range = TIME_GROUP_RANGES[r.groupBy]?.(value);
    const exact = sql`${key} = ${value}`;
    return range ? [exact, sql`${at} >= ${range[0].toISOString()}::timestamptz`, sql`${at} < ${range[1].toISOString()}::timestamptz`] : [exact];
  }

  /** A report as CSV: one line per group (or one for the total), the same numbers as the JSON and the chart. */
  csv(report: Report): string {
    const names = Object.keys(report.values);
    const lines = [[report.groupBy === 'none' ? 'period' : report.groupBy, ...names].map(cell).join(',')];
    if (report.groups.length) for (const g of report.groups) lines.push([g.label, ...names.map((n) => g.values[n] ?? '')].map(cell).join(','));
    else lines.push([`${report.from}/${report.to}`, ...names.map((n) => report.values[n] ?? '')].map(cell).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  /** Runs a report's reads under a time budget, on the read replica when REPORTS_DATABASE_URL names one. */
  private async read<T>(fn: (db: Executor) => Promise<T>): Promise<T> {
    const database = await this.database();
    try {
      if (database.kind !== 'postgres') return await fn(database.db);
      return await database.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local statement_timeout = ${Math.floor(this.ctx.config.reportsTimeoutMs)}`));
        return fn(tx);
      });
    } catch (e) {
      if (isQueryCanceled(e)) {
        throw new AppError('REPORT_TIMEOUT', `The report took longer than its ${this.ctx.config.reportsTimeoutMs / 1000} s budget and was stopped: choose a shorter period or fewer groups`);
      }
      throw e;
    }
  }

  private database(): Promise<Database> {
    const url = this.ctx.config.reportsDatabaseUrl;
    if (!url) return Promise.resolve(this.ctx.database);
    this.replica ??= openDatabase({ url });
    return this.replica;
  }

  async close(): Promise<void> {
    const replica = this.replica;
    this.replica = undefined;
    if (replica) await (await replica).close();
  }

  private async labels(groupBy: string, keys: (string | null)[]): Promise<Map<string, string>> {
    const ids = keys.filter((k): k is string => !!k);
    if (!ids.length) return new Map();
    switch (groupBy) {
      case 'group':
        return new Map((await this.people.listGroups()).map((g) => [g.id, g.name]));
      case 'agent':
        return new Map((await this.people.getUsers(ids)).map((u) => [u.id, u.name]));
      case 'organization':
        return new Map((await this.people.listOrganizations()).map((o) => [o.id, o.name]));
      case 'priority':
        return new Map((await this.settings.allPriorities()).map((p) => [p.id, p.name]));
      default:
        return new Map();
    }
  }
}

function describe(d: MetricDef) {
  return { key: d.key, title: d.title, family: d.family, unit: d.unit, definition: d.definition, headline: Object.keys(d.values)[0] as string, groupings: groupingsOf(d) };
}

/** The groupings a metric accepts: every ticket dimension, or only time for rows that are not tickets (incidents). */
function groupingsOf(d: MetricDef): string[] {
  const own = Object.keys(d.extraGroupings ?? {});
  return d.source ? ['none', 'day', 'week', 'month', ...own] : [...REPORT_GROUPINGS, ...own];
}

function numbers(v: Record<string, unknown>): Values {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? null : Number(x)]));
}
type RollupPlan = { dim: string; value?: string };
const nextMonth = (day: string) => {
  const d = startOf(day);
  return dayOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
};

/** A scan's rows in order: the current period first, totals before groups, groups by key (top metrics: ranked by their headline). */
function ranked(d: MetricDef, inner: SQL): SQL {
  const headline = sql.identifier(Object.keys(d.values)[0] as string);
  const rank = d.top ? sql`row_number() over (partition by s.cur_, s.total_ order by s.${headline} desc nulls last, s.key_)` : sql`null::int`;
  return sql`select s.*, ${rank} as rank_ from (${inner}) s order by s.cur_ desc, s.total_ desc, ${d.top ? sql`rank_` : sql`s.key_`}`;
}

/** Columns named with a trailing _ so that no metric's value (`total`, `tickets` …) can share a name. */
type ScanRow = Record<string, unknown> & { cur_: boolean; total_: boolean; key_: string | null; rank_: number | string | null };
/** A scan row's values: every column but the scan's own. */
function valuesOf(row: ScanRow): Values {
  const { cur_: _cur, total_: _total, key_: _key, rank_: _rank, ...rest } = row;
  return numbers(rest);
}

/** A CSV cell, quoted, and never read as a formula by a spreadsheet (platform/csv.ts). */
function cell(v: unknown): string {
  return `"${neutraliseFormula(String(v)).replace(/"/g, '""')}"`;
}

