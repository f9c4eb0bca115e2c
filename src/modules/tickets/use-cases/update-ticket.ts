import { eq } from 'drizzle-orm';
import type { Tx } from '../../../db/client.js';
import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { NewEvent, TICKET_FIELDS } from '../events.js';
import type { TicketRow } from '../tickets.queries.js';
import { ticketFollowers } from '../tickets.schema.js';
import { type Change, changeTicket, type TicketDeps, type TicketSet, type Within } from './command.js';
import { checkFollowerList } from './follower-limit.js';
import { assigneeFits, checkAssignee, checkTransition, dropNulls, resolveFollowers, stateColumns, stateFor } from './ticket-rules.js';

type TicketField = (typeof TICKET_FIELDS)[number];

/** The fields a change may set; absent ones stay as they are (null clears). */
export type TicketChanges = {
  subject?: string;
  status?: string;
  priority?: string;
  type?: string | null;
  assigneeId?: string | null;
  groupId?: string | null;
  organizationId?: string | null;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
  productArea?: string | null;
  dueAt?: string | null;
  customFields?: Record<string, unknown>;
  followerIds?: string[];
};

/**
 * Changes a ticket's fields: one `field_changed` event per field that really changed, one version. `actor` null is
 * Lifeline itself (an automation), which no version check applies to.
 */
export function updateTicket(d: TicketDeps, actor: Actor | null, ticketId: string, changes: TicketChanges, o: { expectedVersion?: number } & Within = {}): Promise<TicketRow> {
  return changeTicket(d, { actor, ticketId, expectedVersion: o.expectedVersion, tx: o.tx }, (tx, current) => applyChanges(d, tx, current, changes));
}

/** Validates changes against the current ticket; returns the columns to set and one event per changed field. */
export async function applyChanges(d: TicketDeps, tx: Tx, t: TicketRow, p: TicketChanges): Promise<Change & { set: TicketSet }> {
  const row: TicketSet = {};
  const events: NewEvent[] = [];
  const change = (field: TicketField, from: unknown, to: unknown, set: () => void) => {
    if (JSON.stringify(from ?? null) === JSON.stringify(to ?? null)) return;
    set();
    events.push({ kind: 'field_changed', field, from: from ?? null, to: to ?? null });
  };
  if (t.statusCategory === 'merged') throw new AppError('INVALID_TRANSITION', `Ticket #${t.number} was merged; change the ticket it was merged into`);

  if (p.subject !== undefined) change('subject', t.subject, p.subject, () => (row.subject = p.subject));
  if (p.priority !== undefined) {
    const prio = await d.settings.resolvePriority(p.priority, tx);
    const old = (await d.settings.allPriorities(tx)).find((x) => x.id === t.priorityId);
    change('priority', old?.key, prio.key, () => {
      row.priorityId = prio.id;
      row.priorityRank = prio.rank;
    });
  }
  if (p.type !== undefined) {
    if (p.type) await d.settings.requireType(p.type, tx);
    change('type', t.type, p.type, () => (row.type = p.type));
  }
  let groupId = t.groupId;
  if (p.groupId !== undefined) {
    if (p.groupId) await d.people.getGroup(p.groupId, tx, 'INVALID_REFERENCE');
    groupId = p.groupId;
    change('group', t.groupId, p.groupId, () => (row.groupId = p.groupId));
  }
  let assigneeId = p.assigneeId !== undefined ? p.assigneeId : t.assigneeId;
  if (assigneeId && (p.assigneeId !== undefined || p.groupId !== undefined)) {
    const fits = await assigneeFits(d, assigneeId, groupId, tx);
    // Moving a ticket to another group drops an assignee who is not in it, as Zendesk does.
    if (!fits && p.assigneeId === undefined) assigneeId = null;
    else if (p.assigneeId) await checkAssignee(d, p.assigneeId, groupId, tx);
  }
  change('assignee', t.assigneeId, assigneeId, () => (row.assigneeId = assigneeId));
  if (p.organizationId !== undefined) {
    if (p.organizationId) await d.people.getOrganization(p.organizationId, tx, 'INVALID_REFERENCE');
    change('organization', t.organizationId, p.organizationId, () => (row.organizationId = p.organizationId));
  }
  if (p.tags !== undefined || p.addTags || p.removeTags) {
    const base = new Set(p.tags ?? t.tags);
    for (const tag of p.addTags ?? []) base.add(tag);
    for (const tag of p.removeTags ?? []) base.delete(tag);
    const next = [...base].sort();
    change('tags', [...t.tags].sort(), next, () => (row.tags = next));
  }
  if (p.productArea !== undefined) change('product_area', t.productArea, p.productArea, () => (row.productArea = p.productArea));
  if (p.dueAt !== undefined) {
    const due = p.dueAt ? new Date(p.dueAt) : null;
    change('due_at', t.dueAt?.toISOString(), due?.toISOString(), () => (row.dueAt = due));
  }
  let customFields = t.customFields;
  if (p.customFields !== undefined) {
    const valid = await d.fields.validate('ticket', p.customFields, tx);
    customFields = dropNulls({ ...t.customFields, ...valid });
    change('custom_fields', t.customFields, customFields, () => (row.customFields = customFields));
  }
  if (p.status !== undefined) {
    const next = await stateFor(d, p.status, tx);
    if (next.key !== t.status) {
      await checkTransition(d, t, next, customFields, tx);
      change('status', t.status, next.key, () => Object.assign(row, stateColumns(d, t, next)));
    }
  }
  if (p.followerIds !== undefined) {
    const before = (await tx.select({ u: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, t.id))).map((f) => f.u).sort();
    const after = (await resolveFollowers(d, tx, p.followerIds, [], null)).sort();
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      await checkFollowerList(d, tx, before, after);
      await tx.delete(ticketFollowers).where(eq(ticketFollowers.ticketId, t.id));
      if (after.length) await tx.insert(ticketFollowers).values(after.map((userId) => ({ ticketId: t.id, userId })));
      events.push({ kind: 'field_changed', field: 'followers', from: before, to: after });
    }
  }
  return { set: row, events };
}
