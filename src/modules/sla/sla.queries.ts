import { type SQL, sql } from 'drizzle-orm';
import { slaClocks } from './sla.schema.js';

/**
 * For reports: the ticket (`ticketId`, an SQL expression) has an SLA clock running whose deadline had passed at
 * `at` — overdue. Read from the clocks as they are now (a clock achieved since is no longer running).
 */
export function overdueAt(ticketId: SQL, at: Date): SQL {
  return sql`exists (select 1 from ${slaClocks} where ${slaClocks.ticketId} = ${ticketId} and ${slaClocks.status} = 'running' and ${slaClocks.dueAt} < ${at.toISOString()}::timestamptz)`;
}

/** For reports: the SLA policy a ticket's clocks run under (null: none), as a scalar subquery, so the reporting step
 *  reads it in the same statement as its row and events. */
export function policyOfTicket(ticketId: SQL): SQL {
  return sql`(select ${slaClocks.policyId} from ${slaClocks} where ${slaClocks.ticketId} = ${ticketId} limit 1)`;
}
