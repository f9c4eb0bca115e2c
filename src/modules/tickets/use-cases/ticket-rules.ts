import type { Executor } from '../../../db/client.js';
import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { TicketState } from '../settings.service.js';
import type { TicketRow } from '../tickets.queries.js';
import { allowedTargets, canTransition } from '../transitions.js';
import type { TicketDeps, TicketSet } from './command.js';

// The rules several use cases share: states and transitions, who may be assigned, who may follow. Errors name
// domain fields (`assigneeId`, `customFields.x`); the HTTP layer says where in the request they were.

/** What a light agent may not change by PATCH (only agents update tickets), so may not set on create either. */
export const LIGHT_AGENT_CANNOT_SET = ['status', 'priority', 'assigneeId', 'groupId', 'type', 'dueAt', 'organizationId'] as const;

export async function stateFor(d: TicketDeps, key: string, ex: Executor): Promise<TicketState> {
  const state = await d.settings.getState(key, ex);
  if (!state) {
    const all = await d.settings.listStates(ex);
    throw new AppError('INVALID_REFERENCE', `Unknown state ${key}`, {
      fields: [{ path: 'status', message: `expected one of ${all.map((s) => s.key).join(', ')}` }],
    });
  }
  return state;
}

export async function checkTransition(d: TicketDeps, t: TicketRow, next: TicketState, customFields: Record<string, unknown>, ex: Executor): Promise<void> {
  if (next.category === 'merged') throw new AppError('INVALID_TRANSITION', 'Use merge to merge tickets');
  if (!canTransition(t.statusCategory, next.category)) {
    const targets = allowedTargets(t.statusCategory);
    throw new AppError(
      'INVALID_TRANSITION',
      targets.length
        ? `A ${t.statusCategory} ticket cannot become ${next.category}; allowed: ${targets.join(', ')}`
        : `A ${t.statusCategory} ticket is final and cannot change state`,
      { extra: { from: t.status, to: next.key, allowed: targets } },
    );
  }
  if (next.category === 'solved') await checkRequiredOnSolve(d, customFields, ex);
}

export async function checkRequiredOnSolve(d: TicketDeps, customFields: Record<string, unknown>, ex: Executor): Promise<void> {
  const missing = await d.fields.missingOnSolve(customFields, ex);
  if (missing.length) {
    throw new AppError('REQUIRED_ON_SOLVE', `Fill in ${missing.join(', ')} before solving`, {
      fields: missing.map((k) => ({ path: `customFields.${k}`, message: 'required to solve the ticket' })),
    });
  }
}

/** The columns a move to `next` sets: the state, when it changed, and the solved/closed stamps. */
export function stateColumns(d: TicketDeps, t: TicketRow, next: TicketState): TicketSet {
  const now = d.ctx.clock.now();
  return {
    status: next.key,
    statusCategory: next.category,
    statusChangedAt: now,
    solvedAt: next.category === 'solved' ? now : next.category === 'closed' ? (t.solvedAt ?? now) : null,
    closedAt: next.category === 'closed' ? now : null,
  };
}

export async function assigneeFits(d: TicketDeps, userId: string, groupId: string | null, ex: Executor): Promise<boolean> {
  if (!groupId) return true;
  return (await d.people.memberIds(groupId, ex)).includes(userId);
}

export async function checkAssignee(d: TicketDeps, userId: string, groupId: string | null, ex: Executor): Promise<void> {
  const [u] = await d.people.getUsers([userId], ex);
  if (!u?.active || (u.role !== 'agent' && u.role !== 'admin')) {
    throw new AppError('INVALID_REFERENCE', `User ${userId} is not an active agent and cannot be assigned`, {
      fields: [{ path: 'assigneeId', message: 'must be an active agent' }],
    });
  }
  if (!(await assigneeFits(d, userId, groupId, ex))) {
    throw new AppError('INVALID_REFERENCE', `${u.name} is not a member of the ticket's group`, {
      fields: [{ path: 'assigneeId', message: "must be a member of the ticket's group" }],
    });
  }
}

/**
 * The followers a customer may add: with CUSTOMER_FOLLOWERS=own_organization (the default) people of their own
 * organisation — and, for an existing ticket (`ticketOrganizationId`), of the ticket's organisation too, so a
 * customer of another organisation never brings their colleagues onto it —, with `none` nobody; staff add
 * anyone. A follower reads the ticket, so a customer must not be able to show it to another organisation, or to a
 * staff member outside its group. `strict` (the API) refuses the request naming the addresses; otherwise (a
 * channel) they are dropped.
 */
export async function customerMayAdd(d: TicketDeps, actor: Actor, ids: string[], ex: Executor, strict: boolean, ticketOrganizationId?: string | null): Promise<string[]> {
  if (actor.role !== 'customer' || !ids.length) return ids;
  const people = await d.people.getUsers(ids, ex);
  const mayAdd = (p: (typeof people)[number]) =>
    d.ctx.config.customerFollowers === 'own_organization' &&
    actor.organizationId !== null &&
    p.role === 'customer' &&
    p.organizationId === actor.organizationId &&
    (ticketOrganizationId === undefined || p.organizationId === ticketOrganizationId);
  const refused = people.filter((p) => !mayAdd(p));
  if (refused.length && strict) {
    const why = d.ctx.config.customerFollowers === 'none' ? 'Customers cannot add followers' : 'Customers can add only people of their own organization as followers';
    throw new AppError('FOLLOWERS_NOT_ALLOWED', `${why}: ${refused.map((p) => p.email).join(', ')}`, {
      fields: [{ path: 'cc', message: why.toLowerCase() }],
      extra: { refused: refused.map((p) => p.email) },
    });
  }
  return people.filter(mayAdd).map((p) => p.id);
}

/** Follower ids (which must exist) and addresses (customers made on the fly), without the requester. */
export async function resolveFollowers(d: TicketDeps, ex: Executor, ids: string[], emails: string[], requesterId: string | null): Promise<string[]> {
  const out = new Set<string>();
  if (ids.length) {
    const found = await d.people.getUsers(ids, ex);
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw new AppError('INVALID_REFERENCE', `Unknown followers: ${missing.join(', ')}`);
    for (const f of found) out.add(f.id);
  }
  for (const email of emails) out.add((await d.people.findOrCreateCustomer({ email }, ex)).id);
  if (requesterId) out.delete(requesterId);
  return [...out];
}

export function dropNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}
