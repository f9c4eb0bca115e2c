import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import type { MetricsCollector } from '../../platform/metrics.js';
import { INBOUND_STATUSES, inboundEmails } from './email.schema.js';

/**
 * Inbound mail for /metrics: every message accepted (stored) so far, by where it stands — received (accepted, not
 * processed yet), processed, ignored (loops, bounces, noise), failed. One count over the (status, received_at) index.
 */
export function inboundMailMetrics(ctx: Ctx): MetricsCollector {
  return async () => {
    const rows = rowsOf<{ status: string; n: number }>(await ctx.db.execute(sql`select status, count(*)::int as n from ${inboundEmails} group by 1`));
    const help = 'Inbound email messages accepted, by state: received (not processed yet), processed, ignored, failed.';
    return INBOUND_STATUSES.map((status) => ({ name: 'lifeline_inbound_emails', help, type: 'gauge' as const, labels: { state: status }, value: Number(rows.find((r) => r.status === status)?.n ?? 0) }));
  };
}
