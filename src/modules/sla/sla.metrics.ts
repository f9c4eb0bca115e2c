import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import type { MetricsCollector } from '../../platform/metrics.js';
import { slaClocks } from './sla.schema.js';

/** SLA clocks for /metrics: running now, and of those, past their deadline (breached, still running). */
export function slaClockMetrics(ctx: Ctx): MetricsCollector {
  return async () => {
    // Both counts read the partial index of running clocks (sla_clocks_running_due_idx).
    const [r] = rowsOf<{ running: number; breached: number }>(
      await ctx.db.execute(sql`select count(*)::int as running, (count(*) filter (where ${slaClocks.dueAt} <= ${ctx.clock.now().toISOString()}::timestamptz))::int as breached from ${slaClocks} where ${slaClocks.status} = 'running'`),
    );
    const help = 'SLA clocks running now, and those of them past their deadline (breached).';
    return [
      { name: 'lifeline_sla_clocks', help, type: 'gauge', labels: { state: 'running' }, value: Number(r?.running ?? 0) },
      { name: 'lifeline_sla_clocks', help, type: 'gauge', labels: { state: 'breached' }, value: Number(r?.breached ?? 0) },
    ];
  };
}
