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
};

/** count, average, p50 and p90 of a duration in calendar and business seconds (`null` values are not counted). */
export function durationValues(calendar: SQL, business: SQL): Record<string, SQL> {
  return {
    count: sql`count(${calendar})::int`,
    avg: sql`round(avg(${calendar}))::int`,
    p50: sql`round(percentile_cont(0.5) within group (order by ${calendar}))::int`,
    p90: sql`round(percentile_cont(0.9) within group (order by ${calendar}))::int`,
    avgBusiness: sql`round(avg(${business}))::int`,
    p50Business: sql`round(percentile_cont(0.5) within group (order by ${business}))::int`,
    p90Business: sql`round(percentile_cont(0.9) within group (order by ${business}))::int`,
  };
}

/** A share in percent, one decimal; null when nothing is counted. */
export function percent(part: SQL, whole: SQL): SQL {
  return sql`round(100.0 * ${part} / nullif(${whole}, 0), 1)::float8`;
}

export const SOLVED_IN_PERIOD = sql`${m.solvedAt} is not null`;
export { m };
