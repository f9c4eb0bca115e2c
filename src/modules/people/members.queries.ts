import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { groupMembers, users } from './people.schema.js';

/**
 * Reads of people other modules need inside their own statements (auto-assignment, rule actions), so they never
 * touch the users or group tables themselves.
 */

/** The active agents and admins of a group, by id; `keep` (a predicate on the user's id) narrows them in the same query. */
export async function activeAgentIds(ex: Executor, groupId: string, keep?: (userId: SQL) => SQL): Promise<string[]> {
  const rows = await ex
    .select({ id: users.id })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(and(eq(groupMembers.groupId, groupId), eq(users.active, true), inArray(users.role, ['agent', 'admin']), keep?.(sql`${users.id}`)))
    .orderBy(asc(users.id));
  return rows.map((r) => r.id);
}

/** The e-mail addresses of a group's active members. */
export async function activeMemberEmails(ex: Executor, groupId: string): Promise<string[]> {
  const rows = await ex
    .select({ email: users.email })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(and(eq(groupMembers.groupId, groupId), eq(users.active, true)));
  return rows.map((r) => r.email);
}

/** Name and e-mail of each of these people that exists. */
export async function namesAndEmails(ex: Executor, ids: string[]): Promise<{ id: string; name: string; email: string }[]> {
  if (ids.length === 0) return [];
  return ex.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids));
}

/** Every staff member (active or not) with their groups: who the assignee picker lists, and why some cannot take a ticket. */
export async function staffWithGroups(ex: Executor): Promise<{ id: string; name: string; email: string; role: string; active: boolean; groupIds: string[] }[]> {
  const rows = await ex
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      active: users.active,
      groupIds: sql<string[]>`coalesce(array_agg(${groupMembers.groupId}) filter (where ${groupMembers.groupId} is not null), '{}')`,
    })
    .from(users)
    .leftJoin(groupMembers, eq(groupMembers.userId, users.id))
    .where(inArray(users.role, ['agent', 'admin', 'light_agent']))
    .groupBy(users.id)
    .orderBy(asc(users.name));
  return rows;
}
