import { and, eq, notInArray, type SQL, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.js';
import type { TicketRow } from './tickets.queries.js';
import { priorities, tickets } from './tickets.schema.js';

/**
 * The ticket columns rules read, owned here so the condition language (rules/conditions.ts), the automation sweep
 * and the triggers never touch the tickets table themselves. Each is a SQL fragment over `tickets` as the query
 * that uses it names it (no alias), so `compile()` produces exactly the SQL it always did.
 */
export const TICKET_COLUMNS = {
  id: () => sql`${tickets.id}`,
  version: () => sql`${tickets.version}`,
  status: () => sql`${tickets.status}`,
  statusCategory: () => sql`${tickets.statusCategory}`,
  // Tickets store the priority's id; conditions name its key (P1), which is stable across schemes' rows.
  priorityKey: () => sql`(select ${priorities.key} from ${priorities} where ${priorities.id} = ${tickets.priorityId})`,
  type: () => sql`${tickets.type}`,
  channel: () => sql`${tickets.channel}`,
  groupId: () => sql`${tickets.groupId}`,
  assigneeId: () => sql`${tickets.assigneeId}`,
  organizationId: () => sql`${tickets.organizationId}`,
  requesterId: () => sql`${tickets.requesterId}`,
  tags: () => sql`${tickets.tags}`,
  subject: () => sql`${tickets.subject}`,
  productArea: () => sql`${tickets.productArea}`,
  createdAt: () => sql`${tickets.createdAt}`,
  updatedAt: () => sql`${tickets.updatedAt}`,
  solvedAt: () => sql`${tickets.solvedAt}`,
  dueAt: () => sql`${tickets.dueAt}`,
  statusChangedAt: () => sql`${tickets.statusChangedAt}`,
  requesterRepliedAt: () => sql`${tickets.requesterRepliedAt}`,
  /** A custom field's value as text (`custom_fields ->> key`). */
  customField: (key: string) => sql`(${tickets.customFields} ->> ${key})`,
} as const;

/** Tickets a time-based rule may still act on: closed and merged ones are history. */
const live = () => notInArray(tickets.statusCategory, ['closed', 'merged']);

/** Up to `limit` live tickets matching `condition` and `unless` (the rule's "not fired since"): the sweep's candidates. */
export function ruleCandidates(ex: Executor, condition: SQL, unless: SQL, limit: number): Promise<{ id: string; version: number }[]> {
  return ex
    .select({ id: tickets.id, version: tickets.version })
    .from(tickets)
    .where(and(condition, live(), unless))
    .limit(limit);
}

/** The ticket, locked for the transaction, if it is live and still matches `where` (another process may have changed it). */
export async function lockIfMatching(tx: Tx, ticketId: string, where: SQL): Promise<TicketRow | undefined> {
  const [t] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.id, ticketId), where, live()))
    .for('update');
  return t;
}

/** The ticket, locked for the transaction (a trigger's run reads it as the actions before left it). */
export async function lockTicket(tx: Tx, ticketId: string): Promise<TicketRow | undefined> {
  const [t] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
  return t;
}

/** The ticket's version as a subquery, for a statement that records "as of now" without reading it first. */
export function versionNow(ticketId: string): SQL {
  return sql`(select ${tickets.version} from ${tickets} where ${tickets.id} = ${ticketId})`;
}
