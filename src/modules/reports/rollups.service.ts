import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { METRICS } from './metrics/index.js';
import type { MetricDef, MetricState } from './metrics/types.js';
import { reportRollupDays, reportRollupMonths, reportRollups, ticketMetrics } from './reports.schema.js';
import { addDays, buildSql, firstLiveDay, mergeMonthSql } from './rollups.js';

/** The metrics kept as rollups: those with state. */
export const ROLLUP_METRICS = METRICS.filter((d): d is MetricDef & { state: MetricState } => !!d.state && !d.period && !d.source && !d.join);

/** At most this many days are built in one transaction (a month of rows per statement). */
const BATCH_DAYS = 31;

/**
 * Keeps the per-day rollups (rollups.ts): builds days from ticket_metrics, marks days stale when an older ticket
 * changes, and tells a report which days it may read from them. A day is built whole (every rollup metric, every
 * dimension) and read only while clean.
 */
export class ReportRollups {
  constructor(private readonly ctx: Ctx) {}

  /**
   * Marks days stale, in the transaction of the change that made them so (bumps their version; a day never built
   * gets a row, to be built). Called only with days older than yesterday (`staleDays`).
   */
  async markStale(ex: Executor, days: string[]): Promise<void> {
    if (!days.length) return;
    await ex.execute(sql`
      insert into ${reportRollupDays} (day, version) select d, 1 from unnest(${`{${days.join(',')}}`}::date[]) as d
      on conflict (day) do update set version = ${reportRollupDays}.version + 1`);
  }

  /** Of the days given, those whose rollups are built and clean (read on the report's own connection). */
  async usableDays(ex: Executor, days: string[]): Promise<Set<string>> {
    if (!days.length) return new Set();
    const rows = rowsOf<{ day: string }>(
      await ex.execute(sql`select day::text as day from ${reportRollupDays} where day = any(${`{${days.join(',')}}`}::date[]) and built_version = version`),
    );
    return new Set(rows.map((r) => r.day));
  }

  /**
   * Builds the days before yesterday that are stale or were never built (from the first day the store has a ticket;
   * at most `maxDays`, the newest first), a month per transaction. Returns how many days it built.
   */
  async refresh(o: { maxDays?: number } = {}): Promise<{ days: number }> {
    const db = this.ctx.db;
    const before = firstLiveDay(this.ctx.clock.now());
    const rows = rowsOf<{ day: string }>(
      await db.execute(sql`
        select d::date::text as day
        from generate_series((select (min(created_at) at time zone 'UTC')::date from ${ticketMetrics}), ${before}::date - 1, interval '1 day') as d
        left join ${reportRollupDays} r on r.day = d::date
        where r.day is null or r.built_version is distinct from r.version
        order by 1 desc limit ${o.maxDays ?? 100_000}`),
    );
    // The newest first (the days reports read most), built oldest to newest within the run.
    const days = rows.map((r) => r.day).reverse();
    // Runs of consecutive days, at most BATCH_DAYS each.
    let i = 0;
    while (i < days.length) {
      const first = days[i] as string;
      let n = 1;
      while (i + n < days.length && n < BATCH_DAYS && days[i + n] === addDays(first, n)) n++;
      await this.build(first, addDays(first, n));
      i += n;
    }
    await this.buildMonths(before);
    return { days: days.length };
  }

  /** The months before `before` whose days are all built and clean, and whose month rows are missing or older. */
  private async buildMonths(before: string): Promise<void> {
    const db = this.ctx.db;
    const months = rowsOf<{ month: string }>(
      await db.execute(sql`
        select m::date::text as month
        from generate_series((select date_trunc('month', min(day)) from ${reportRollupDays}), ${before}::date - interval '1 month', interval '1 month') as m
        left join ${reportRollupMonths} rm on rm.month = m::date
        where ${cleanVersionSum(sql`m::date`)} is distinct from coalesce(rm.version_sum, -1)
          and ${cleanVersionSum(sql`m::date`)} is not null`),
    );
    for (const { month } of months) {
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('lifeline.report_rollups'))`);
        // The versions first, then the rows: a day changed in between leaves the month unreadable, not wrong.
        const [v] = rowsOf<{ sum: number | null }>(await tx.execute(sql`select ${cleanVersionSum(sql`${month}::date`)} as sum`));
        if (v?.sum === null || v?.sum === undefined) return;
        await tx.execute(sql`delete from ${reportRollups} where grain = 'month' and day = ${month}::date`);
        await tx.execute(mergeMonthSql(month));
        await tx.execute(sql`
          insert into ${reportRollupMonths} (month, version_sum, built_at) values (${month}::date, ${v.sum}, ${this.ctx.clock.now().toISOString()}::timestamptz)
          on conflict (month) do update set version_sum = excluded.version_sum, built_at = excluded.built_at`);
      });
    }
  }

  /** Of the months given (first days), those whose month rows may be read: every day clean, versions unchanged. */
  async usableMonths(ex: Executor, months: string[]): Promise<Set<string>> {
    if (!months.length) return new Set();
    const rows = rowsOf<{ month: string }>(
      await ex.execute(sql`
        select rm.month::text as month from ${reportRollupMonths} rm
        where rm.month = any(${`{${months.join(',')}}`}::date[]) and rm.version_sum = ${cleanVersionSum(sql`rm.month`)}`),
    );
    return new Set(rows.map((r) => r.month));
  }

  /**
   * Rebuilds the days [from, to) in one transaction: their versions are read first, so a change that marks one of
   * them stale while it is built leaves it stale (built_version is set only where the version is still the one read).
   */
  async build(from: string, to: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      // One build at a time across processes (a second schedule slot, a rebuild): two would both delete, then both insert.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('lifeline.report_rollups'))`);
      await tx.execute(sql`insert into ${reportRollupDays} (day) select d::date from generate_series(${from}::date, ${to}::date - 1, interval '1 day') as d on conflict (day) do nothing`);
      const versions = rowsOf<{ day: string; version: number }>(
        await tx.execute(sql`select day::text as day, version from ${reportRollupDays} where day >= ${from}::date and day < ${to}::date`),
      );
      await tx.execute(sql`delete from ${reportRollups} where grain = 'day' and day >= ${from}::date and day < ${to}::date`);
      for (const def of ROLLUP_METRICS) await tx.execute(buildSql(def, from, to));
      await tx.execute(sql`
        update ${reportRollupDays} d set built_version = v.version, built_at = ${this.ctx.clock.now().toISOString()}::timestamptz
        from json_to_recordset(${JSON.stringify(versions)}::json) as v(day date, version int)
        where d.day = v.day and d.version = v.version`);
    });
  }

  /** Every rollup again from the store (after `lifeline reports rebuild`): drops them all, then builds every day. */
  async rebuildAll(): Promise<{ days: number; ms: number }> {
    const started = performance.now();
    // Under the lock a scheduled build holds for its transaction: a build in flight on another connection would
    // otherwise mark its days built after these deletes, and the truncate then wipe their rows (days clean and empty).
    await this.ctx.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('lifeline.report_rollups'))`);
      await tx.execute(sql`delete from ${reportRollupMonths}`);
      await tx.execute(sql`delete from ${reportRollupDays}`);
      await tx.execute(sql`truncate ${reportRollups}`);
    });
    const { days } = await this.refresh();
    return { days, ms: Math.round(performance.now() - started) };
  }
}

/** The sum of a month's day versions when every day of it is built and clean; null otherwise. */
function cleanVersionSum(month: SQL): SQL {
  return sql`(select sum(d.version)::int from ${reportRollupDays} d
    where d.day >= ${month} and d.day < ${month} + interval '1 month' and d.built_version = d.version
    having count(*) = extract(day from ${month} + interval '1 month' - interval '1 day'))`;
}
