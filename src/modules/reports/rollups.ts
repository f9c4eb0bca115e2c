import { type SQL, sql } from 'drizzle-orm';
import { bucketOf, bucketValue, type MetricDef, type MetricState } from './metrics/types.js';
import { ticketMetrics as m, reportRollups, type TicketMetricsRow } from './reports.schema.js';

/**
 * Per-day rollups, the SQL: how a day's rows are built from ticket_metrics, and how a report reads them merged
 * with the days it reads live. The bookkeeping (which days are built, the schedule) is in rollups.service.ts.
 */

const DAY = 86_400_000;

/**
 * The dimensions a rollup is kept by — the dashboard's filters and groupings — as text over ticket_metrics (the same
 * keys as the report's groupings). Organisation and product area are left out: hundreds of values a day, few
 * tickets each, so their rows would cost nearly what their tickets do (they read live).
 */
export const DIMENSIONS: Record<string, SQL> = {
  group: sql`${m.groupId}::text`,
  agent: sql`${m.assigneeId}::text`,
  priority: sql`${m.priorityId}::text`,
  channel: sql`${m.channel}`,
  type: sql`${m.type}`,
};
/** Every dimension, `tag` included (a ticket is in each of its tags' rows). */
export const ROLLUP_DIMS = ['none', ...Object.keys(DIMENSIONS), 'tag'];

/** A day as YYYY-MM-DD (UTC). */
export const dayOf = (t: Date) => t.toISOString().slice(0, 10);
export const startOf = (day: string) => new Date(`${day}T00:00:00Z`);
export const addDays = (day: string, n: number) => dayOf(new Date(startOf(day).getTime() + n * DAY));

/** The first day a rollup may hold: today and yesterday (UTC) are always read live. */
export const firstLiveDay = (now: Date) => addDays(dayOf(now), -1);

/**
 * The days whose rollups a change to a ticket's row makes stale: those of its milestones before and after the
 * change (the dates metrics count tickets in) that are older than yesterday — none when nothing a metric reads
 * changed (the fold's own bookkeeping aside), or when every milestone is recent (new and recent tickets: most changes).
 */
export function staleDays(before: TicketMetricsRow | null, after: TicketMetricsRow, now: Date): string[] {
  if (before && sameForReports(before, after)) return [];
  const live = firstLiveDay(now);
  const days = new Set<string>();
  for (const r of before ? [before, after] : [after]) {
    for (const at of [r.createdAt, r.firstReplyAt, r.firstSolvedAt, r.solvedAt, r.reopenedAt]) {
      if (at && dayOf(at) < live) days.add(dayOf(at));
    }
  }
  return [...days].sort();
}

const FOLD_ONLY = new Set(['lastEventId', 'stateSince', 'awaitingSince']);
function sameForReports(a: TicketMetricsRow, b: TicketMetricsRow): boolean {
  for (const k of Object.keys(a) as (keyof TicketMetricsRow)[]) {
    if (FOLD_ONLY.has(k)) continue;
    const x = a[k];
    const y = b[k];
    if (x instanceof Date || y instanceof Date) {
      if ((x instanceof Date ? x.getTime() : x) !== (y instanceof Date ? y.getTime() : y)) return false;
    } else if (Array.isArray(x) || Array.isArray(y)) {
      if (JSON.stringify(x) !== JSON.stringify(y)) return false;
    } else if (x !== y) return false;
  }
  return true;
}

/** Each ticket once per dimension: (dim, value) rows, a ticket in every one of its tags. */
const dimRows = sql.join(
  [
    sql`select 'none'::text as dim, null::text as value`,
    ...Object.entries(DIMENSIONS).map(([dim, v]) => sql`select ${dim}, (${v})::text`),
    sql`select 'tag', tag from unnest(${m.tags}) as tag`,
  ],
  sql` union all `,
);

/**
 * Builds one metric's rollup rows for the days [from, to) (`day` strings): one scan of the metric's date range,
 * aggregated per day, dimension and value (`grouping sets` add the two duration histograms per bucket).
 */
export function buildSql(def: MetricDef & { state: MetricState }, from: string, to: string): SQL {
  const st = def.state;
  const sums = sql`array[${sql.join(st.sums, sql`, `)}]::bigint[]`;
  const range = sql`(${def.date}) >= ${from}::timestamptz and (${def.date}) < ${to}::timestamptz ${def.where ? sql`and ${def.where}` : sql``}`;
  const day = sql`cross join lateral (select ((${def.date}) at time zone 'UTC')::date as day) dd cross join lateral (${dimRows}) v`;
  const h = st.hists ?? [];
  if (!h.length) {
    return sql`insert into ${reportRollups} (metric, day, dim, value, sums)
      select ${def.key}, dd.day, v.dim, v.value, ${sums} from ${m} ${day} where ${range} group by dd.day, v.dim, v.value`;
  }
  const [h0, h1] = h as [SQL, SQL];
  const hist = (b: string, gs: number) => {
    const where = sql.raw(`g.gs = ${gs} and g.${b} is not null`);
    return sql`array_agg(g.${sql.raw(b)} order by g.${sql.raw(b)}) filter (where ${where}), array_agg(g.n order by g.${sql.raw(b)}) filter (where ${where})`;
  };
  return sql`insert into ${reportRollups} (metric, day, dim, value, sums, hist0_buckets, hist0_counts, hist1_buckets, hist1_counts)
    select ${def.key}, g.day, g.dim, g.value, max(g.sums) filter (where g.gs = 3), ${hist('b0', 1)}, ${hist('b1', 2)}
    from (
      select dd.day, v.dim, v.value, b0.b as b0, b1.b as b1, grouping(b0.b, b1.b) as gs, ${sums} as sums, count(*)::int as n
      from ${m} ${day} cross join lateral (select ${bucketOf(h0)} as b) b0 cross join lateral (select ${bucketOf(h1)} as b) b1
      where ${range}
      group by grouping sets ((dd.day, v.dim, v.value), (dd.day, v.dim, v.value, b0.b), (dd.day, v.dim, v.value, b1.b))
    ) g group by g.day, g.dim, g.value`;
}

/** How rollup rows are keyed for a grouping by time (the same keys the live grouping makes from the date). */
export const ROLLUP_TIME_KEYS: Record<string, SQL> = {
  day: sql`to_char(r.day, 'YYYY-MM-DD')`,
  week: sql`to_char(date_trunc('week', r.day::timestamp), 'YYYY-MM-DD')`,
  month: sql`to_char(r.day, 'YYYY-MM')`,
};

export type StateScan = {
  def: MetricDef & { state: MetricState };
  /** The live part: its FROM (ticket_metrics, with the tag unnest when grouped by tag) and WHERE (its ranges, filter, the metric's where). */
  liveFrom: SQL;
  liveWhere: SQL;
  /** Whether a live row is in the current period. */
  liveCur: SQL;
  /** The rollup part: which rows (dimension, and one value of it or all), days and months (their first days); from `curDay` on they are current. */
  dim: string;
  dimValue?: string | null;
  days: string[];
  months: string[];
  curDay: string;
  key?: { live: SQL; rollup: SQL };
  /** With a key: the totals too (grouping sets), or only the groups. */
  totals: boolean;
};

/**
 * A metric's rows (cur, total, key, values) from merged state: the rollups' sums and histograms of the days given,
 * plus the same state aggregated live over the rest; the values are `state.values` over the merged columns, so they
 * are those the live path computes (its percentile_disc picks the same nearest-rank bucket this cumulative count does).
 */
export function stateScanSql(o: StateScan): SQL {
  const st = o.def.state;
  const keyed = !!o.key;
  const liveKey = o.key ? sql`cross join lateral (select (${o.key.live})::text as key) k` : sql``;
  const liveFrom = sql`${o.liveFrom} cross join lateral (select ${o.liveCur} as cur) c ${liveKey}`;
  const lk = keyed ? sql`k.key` : sql`null::text`;
  const rk = o.key ? o.key.rollup : sql`null::text`;
  const inDays = sql`((r.grain = 'day' and r.day = any(${`{${o.days.join(',')}}`}::date[])) or (r.grain = 'month' and r.day = any(${`{${o.months.join(',')}}`}::date[])))`;
  const rollWhere = sql`r.metric = ${o.def.key} and r.dim = ${o.dim} ${o.dimValue !== undefined ? sql`and r.value is not distinct from ${o.dimValue}` : sql``} and ${inDays}`;
  const rcur = sql`(r.day >= ${o.curDay}::date)`;
  const by = keyed ? (o.totals ? sql`grouping sets ((cur), (cur, key))` : sql`cur, key`) : sql`cur`;
  const total = keyed ? (o.totals ? sql`grouping(key) = 1` : sql`false`) : sql`true`;
  const keyCol = keyed ? sql`key` : sql`null::text as key`;
  const sumCols = st.sums.map((_, i) => sql`sum(sums[${sql.raw(String(i + 1))}]) as ${sql.identifier(`s${i}`)}`);
  const ctes: SQL[] = [
    sql`live as (select c.cur, ${lk} as key, array[${sql.join(st.sums, sql`, `)}]::bigint[] as sums from ${liveFrom} where ${o.liveWhere} group by 1, 2)`,
    sql`roll as (select ${rcur} as cur, ${rk} as key, r.sums from ${reportRollups} r where ${rollWhere})`,
    sql`a as (select cur, ${total} as total, ${keyCol}, ${sql.join(sumCols, sql`, `)} from (select * from live union all select * from roll) u group by ${by})`,
  ];
  const quantiles = new Map<string, [number, number]>();
  const pct = (h: number, q: number) => {
    const name = `p${h}_${String(q).replace('.', '_')}`;
    quantiles.set(name, [h, q]);
    return sql`q.${sql.identifier(name)}`;
  };
  const values = st.values((i) => sql`a.${sql.identifier(`s${i}`)}`, pct);
  const hists = st.hists ?? [];
  if (quantiles.size) {
    const hl = hists.map((x, h) => sql`select c.cur, ${lk} as key, ${sql.raw(String(h))} as h, ${bucketOf(x)} as b, count(*) as n from ${liveFrom} where ${o.liveWhere} and (${x}) is not null group by 1, 2, 4`);
    const hr = hists.map(
      (_, h) => sql`select ${rcur} as cur, ${rk} as key, ${sql.raw(String(h))} as h, x.b, x.n from ${reportRollups} r cross join lateral unnest(${sql.raw(`r.hist${h}_buckets, r.hist${h}_counts`)}) as x(b, n) where ${rollWhere}`,
    );
    const hby = keyed ? (o.totals ? sql`grouping sets ((cur, h, b), (cur, key, h, b))` : sql`cur, key, h, b`) : sql`cur, h, b`;
    ctes.push(
      sql`hm as (select cur, ${total} as total, ${keyCol}, h, b, sum(n) as n from (${sql.join([...hl, ...hr], sql` union all `)}) x group by ${hby})`,
      sql`hc as (select *, sum(n) over (partition by cur, total, key, h order by b) as cum, sum(n) over (partition by cur, total, key, h) as tot from hm)`,
      sql`q as (select cur, total, key, ${sql.join(
        [...quantiles].map(([name, [h, q]]) => sql`${bucketValue(sql`min(b) filter (where h = ${sql.raw(String(h))} and cum >= greatest(1, ceil(${sql.raw(String(q))}::float8 * tot::float8)))`)} as ${sql.identifier(name)}`),
        sql`, `,
      )} from hc group by cur, total, key)`,
    );
  }
  const select = sql.join(
    Object.entries(values).map(([name, v]) => sql`${v} as ${sql.identifier(name)}`),
    sql`, `,
  );
  const join = quantiles.size ? sql`left join q on q.cur = a.cur and q.total = a.total and q.key is not distinct from a.key` : sql``;
  return sql`with ${sql.join(ctes, sql`, `)} select a.cur as cur_, a.total as total_, a.key as key_, ${select} from a ${join}`;
}

/**
 * A month's rows (grain `month`, on its first day): its day rows merged per metric, dimension and value — the sums
 * added element by element, the histograms bucket by bucket.
 */
export function mergeMonthSql(month: string): SQL {
  const days = sql`grain = 'day' and day >= ${month}::date and day < ${month}::date + interval '1 month'`;
  // Dimension values may be null (none, unassigned): joined on a text that no value is.
  const k = (t: string) => sql.raw(`${t}.metric, ${t}.dim, coalesce(${t}.value, chr(1))`);
  const hist = (h: number) =>
    sql`(select row(${k('x')}) as k, array_agg(x.b order by x.b) as b, array_agg(x.n order by x.b) as n from (
      select r.metric, r.dim, r.value, u.b, sum(u.n)::int as n from ${reportRollups} r cross join lateral unnest(${sql.raw(`r.hist${h}_buckets, r.hist${h}_counts`)}) as u(b, n)
      where ${days} group by 1, 2, 3, 4) x group by x.metric, x.dim, x.value)`;
  return sql`
    insert into ${reportRollups} (metric, grain, day, dim, value, sums, hist0_buckets, hist0_counts, hist1_buckets, hist1_counts)
    select s.metric, 'month', ${month}::date, s.dim, s.value, s.sums, h0.b, h0.n, h1.b, h1.n
    from (
      select x.metric, x.dim, x.value, array_agg(x.s order by x.i) as sums from (
        select r.metric, r.dim, r.value, u.i, sum(u.v)::bigint as s from ${reportRollups} r cross join lateral unnest(r.sums) with ordinality as u(v, i)
        where ${days} group by 1, 2, 3, 4) x group by 1, 2, 3
    ) s
    left join ${hist(0)} h0 on h0.k = row(${k('s')})
    left join ${hist(1)} h1 on h1.k = row(${k('s')})`;
}
