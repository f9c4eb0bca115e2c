import { type SQL, sql } from 'drizzle-orm';
import { slaClocks } from './sla.schema.js';

/**
 * For reports: the ticket (`ticketId`, an SQL expression) has an SLA clock running whose deadline had passed at
 * `at` — overdue. Read from the clocks as they are now (a clock achieved since is no longer running).
 */
export function overdueAt(ticketId: SQL, at: Date): SQL {
  return sql`exists (select 1 from ${slaClocks} where ${slaClocks.ticketId} = ${ticketId} and ${slaClocks.status} = 'running' and ${slaClocks.dueAt} < ${at.toISOString()}::timestamptz)`;
}
