import { type SQL, sql } from 'drizzle-orm';
import { ticketMetrics as m } from '../reports.schema.js';

/**
 * A metric, defined once: its written definition (shown in the app, served by the API, listed in docs/metrics.md),
 * which rows it counts (`where`, and the period on `date`), the aggregates it reports and the per-ticket value a
 * drill-down lists. Every chart, table, export and API answer is computed from this and nothing else. SQL is over
 * `ticket_metrics` (one row per ticket, see reports.schema.ts).
 */
export type MetricDef = {
  key: string;
  family: 'times' | 'sla' | 'volume' | 'quality' | 'top_issues' | 'satisfaction' | 'incidents';
  title: string;
  definition: string;
  unit: 'seconds' | 'tickets' | 'percent' | 'per_ticket';
  /** The instant the period applies to (a ticket counts in the period its `date` falls in). */
  date: SQL;
  /** Which rows count, besides the period and the filters. */
  where?: SQL;
  /** The aggregates, by name; the first is the headline number. */
  values: Record<string, SQL>;
  /** The per-ticket number a drill-down lists beside each ticket. */
  ticketValue: SQL;
  /** Instead of `date` in [from, to): which rows the period means (the backlog: open at the period's end). */
  period?: (from: Date, to: Date) => SQL;
  /** Its own groupings (the backlog's `age`), as SQL given the period. */
  extraGroupings?: Record<string, (from: Date, to: Date) => SQL>;
  /** The grouping when none is asked for (top issues: their own dimension). */
  defaultGroupBy?: string;
  /** How many groups at most (top issues: the top 10), sorted by the headline value. */
  top?: number;
  /** A table joined onto ticket_metrics, with its `on` (satisfaction: one row per survey sent); filters still apply. */
  join?: SQL;
  /**
   * Rows that are not tickets (incidents), instead of ticket_metrics: no ticket filters, groupings by time and
   * `extraGroupings` only, and no tickets behind the number (the app links to their own page instead).
   */
  source?: SQL;
  /**
   * The metric as mergeable state, for the per-day rollups (rollups.service.ts): its `values` are `state.values`
   * over the live aggregates, and a rollup read gives the same expressions the merged sums and histograms.
   */
  state?: MetricState;
};

/**
 * A metric's numbers as state that merges across days exactly: `sums` (aggregates that add up: `count(*)`,
 * `count(*) filter (…)`, `sum(x)`), histograms of per-ticket durations (`hists`, null not counted), and the values
 * computed from them — `s(i)` the i-th sum, `pct(h, q)` the q-quantile of histogram h — the one formula both paths use.
 */
export type MetricState = {
  sums: SQL[];
  hists?: SQL[];
  values: (s: (i: number) => SQL, pct: (h: number, q: number) => SQL) => Record<string, SQL>;
};

/**
 * Histogram buckets of a duration in seconds: one per second below 100 s, then ~1 % wide (bucket k ≥ 100 holds
 * [100·1.01^(k−100), 100·1.01^(k−99))). A percentile is the nearest-rank value's bucket (as percentile_disc picks
 * it), reported as that bucket's geometric middle: exact to the second below 100 s, within 0.5 % above.
 */
export const bucketOf = (x: SQL) => sql`(case when (${x}) < 100 then floor(${x})::int else 100 + floor(ln((${x})::float8 / 100) / ln(1.01::float8))::int end)`;
export const bucketValue = (b: SQL) => sql`(case when (${b}) < 100 then (${b}) else round(100 * power(1.01::float8, (${b}) - 99.5))::int end)`;
/** The q-quantile over live rows: the nearest-rank bucket of x's histogram (what the merged histograms give too). */
export const liveQuantile = (x: SQL, q: number) => bucketValue(sql`percentile_disc(${sql.raw(String(q))}::float8) within group (order by ${bucketOf(x)})`);
export const PERCENTILE_BOUND = 'Medians and p90 are nearest-rank values read from a histogram: exact to the second below 100 s, within 0.5 % above.';

/** A metric with state: its live `values` and the state they come from. */
export function fromState(state: MetricState): { values: Record<string, SQL>; state: MetricState } {
  return {
    values: state.values(
      (i) => state.sums[i] as SQL,
      (h, q) => liveQuantile(state.hists?.[h] as SQL, q),
    ),
    state,
  };
}

/** count, average, p50 and p90 of a duration in calendar and business seconds (`null` values are not counted). */
export function durationState(calendar: SQL, business: SQL): MetricState {
  return {
    sums: [sql`count(${calendar})`, sql`sum(${calendar})`, sql`count(${business})`, sql`sum(${business})`],
    hists: [calendar, business],
    values: (s, pct) => ({
      count: sql`(${s(0)})::int`,
      avg: sql`round((${s(1)})::numeric / nullif(${s(0)}, 0))::int`,
      p50: pct(0, 0.5),
      p90: pct(0, 0.9),
      avgBusiness: sql`round((${s(3)})::numeric / nullif(${s(2)}, 0))::int`,
      p50Business: pct(1, 0.5),
      p90Business: pct(1, 0.9),
    }),
  };
}
export const durationValues = (calendar: SQL, business: SQL) => fromState(durationState(calendar, business));

/** Counts: each value a sum, as an integer. */
export function countState(sums: Record<string, SQL>): MetricState {
  const names = Object.keys(sums);
  return { sums: Object.values(sums), values: (s) => Object.fromEntries(names.map((n, i) => [n, sql`(${s(i)})::int`])) };
}

/** A share in percent, one decimal; null when nothing is counted. */
export function percent(part: SQL, whole: SQL): SQL {
  return sql`round(100.0 * ${part} / nullif(${whole}, 0), 1)::float8`;
}

export const SOLVED_IN_PERIOD = sql`${m.solvedAt} is not null`;
export { m };
