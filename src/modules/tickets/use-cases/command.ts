import { eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { and } from 'drizzle-orm';
import type { Tx } from '../../../db/client.js';
import { type Actor, isStaff, SYSTEM_ACTOR } from '../../../platform/auth.js';
import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors.js';
import type { CustomFieldsService } from '../../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../../people/people.service.js';
import { appendEvents, eventActor, type NewEvent, type TicketEvent, type TicketEventStream } from '../events.js';
import type { TicketSettingsService } from '../settings.service.js';
import type { TicketQueries, TicketRow } from '../tickets.queries.js';
import { type Channel, ticketEvents, tickets } from '../tickets.schema.js';

/**
 * What every ticket use case works with: the services it reads through, the event stream it dispatches to,
 * and the auto-assignment step (set by the assignment module after the tickets module is built).
 */
export type TicketDeps = {
  ctx: Ctx;
  people: PeopleService;
  settings: TicketSettingsService;
  fields: CustomFieldsService;
  queries: TicketQueries;
  events: TicketEventStream;
  assigner: () => AutoAssigner | undefined;
};

/**
 * The one way to hand a ticket command a transaction: `{ tx }` as its last argument. Without it the command
 * opens its own; with it the command runs inside the caller's as a savepoint, so what the caller writes around
 * it (an inbound email marked processed, an automation's claim) commits with it, and a refusal undoes only the
 * command. See docs/decisions.md "One way to pass a transaction".
 */
export type Within = { tx?: Tx };

/**
 * Auto-assignment, an explicit step of the commands that put a ticket into a group (create, a group change,
 * escalation): it picks a member, and the command itself records the assignment. It reads, never writes tickets.
 */
export type AutoAssigner = (tx: Tx, ticket: TicketRow) => Promise<string | null>;

/** The columns a command sets on the ticket row (values or SQL over the row). */
export type TicketSet = PgUpdateSetSource<typeof tickets>;

/** A change a command computed: the columns to set and the events it makes; no events means nothing changed. */
export type Change = { set: TicketSet; events: NewEvent[] };

/** Opens the command's transaction, or a savepoint inside the caller's (`within.tx`). */
export function inTransaction<T>(d: TicketDeps, within: Within, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (within.tx ?? d.ctx.db).transaction(fn);
}

/**
 * The shape of most commands, in one place: open the transaction (or savepoint), lock and load the ticket the
 * actor may change (`actor` null is Lifeline itself), check the caller's version, let `apply` compute the change,
 * then save it (`save`). A change without events leaves the ticket as it was.
 */
export async function changeTicket(
  d: TicketDeps,
  o: { actor: Actor | null; ticketId: string; expectedVersion?: number; autoAssign?: boolean } & Within,
  apply: (tx: Tx, current: TicketRow) => Promise<Change>,
): Promise<TicketRow> {
  return inTransaction(d, o, async (tx) => {
    const current = await lockTicket(d, tx, o.actor, o.ticketId, o.expectedVersion);
    const change = await apply(tx, current);
    if (!change.events.length) return current;
    return save(d, tx, o.actor, current, change, { autoAssign: o.autoAssign ?? true });
  });
}

/** Locks and loads a ticket for a change; an actor's stale version is a VERSION_CONFLICT showing what changed. */
export async function lockTicket(d: TicketDeps, tx: Tx, actor: Actor | null, ticketId: string, expectedVersion?: number): Promise<TicketRow> {
  const current = await d.queries.getRow(actor ?? SYSTEM_ACTOR, ticketId, tx, true);
  if (actor) await checkVersion(d, tx, actor, current, expectedVersion);
  return current;
}

export async function checkVersion(d: TicketDeps, tx: Tx, actor: Actor, current: TicketRow, expected: number | undefined): Promise<void> {
  if (expected === undefined || expected === current.version) return;
  const [view] = await d.queries.views([current], tx);
  // What happened since the caller's version, so a client can show the other change instead of just refusing.
  const changes = await tx
    .select()
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, current.id), sql`${ticketEvents.ticketVersion} > ${expected}`, isStaff(actor) ? undefined : eq(ticketEvents.public, true)))
    .orderBy(ticketEvents.id)
    .limit(50);
  throw new AppError('VERSION_CONFLICT', `The ticket changed since you loaded it (you had version ${expected}, it is now ${current.version})`, {
    extra: { current: view, yourVersion: expected, actorId: actor.userId, changes },
  });
}

/**
 * Saves a change of a locked ticket: its columns with the next version, its events (with that version and the
 * actor) through the one writer, the stream's subscribers, and — if the change put the ticket into a group —
 * the auto-assignment step.
 */
export async function save(d: TicketDeps, tx: Tx, actor: Actor | null, current: TicketRow, change: Change, o: { autoAssign: boolean }): Promise<TicketRow> {
  const [updated] = (await tx
    .update(tickets)
    .set({ ...change.set, version: current.version + 1, updatedAt: d.ctx.clock.now() })
    .where(eq(tickets.id, current.id))
    .returning()) as [TicketRow];
  await record(d, tx, actor, updated, change.events);
  if (o.autoAssign) await autoAssign(d, tx, updated, change.events);
  return updated;
}

/**
 * Appends a command's events through the one writer (with the version `ticket` has and the actor), then runs
 * the stream's subscribers: in-transaction steps, and the jobs they cause, enqueued in the same transaction.
 */
export async function record(d: TicketDeps, tx: Tx, actor: Actor | null, ticket: TicketRow, events: NewEvent[], channel?: Channel): Promise<TicketEvent[]> {
  const rows = await appendEvents(tx, { ticketId: ticket.id, version: ticket.version, actor: eventActor(actor?.userId, channel), at: d.ctx.clock.now(), events });
  await d.events.dispatch(tx, rows, ticket);
  return rows;
}

/**
 * The auto-assignment step of a command that put an unassigned ticket into a group: the assigner picks a
 * member and this command records the change (one more version, an `assignee` event by the system), in its
 * own transaction, without running another command.
 */
export async function autoAssign(d: TicketDeps, tx: Tx, ticket: TicketRow, events: readonly { kind: string; field?: string | null }[]): Promise<TicketRow> {
  const assigner = d.assigner();
  if (!assigner || ticket.assigneeId || !ticket.groupId) return ticket;
  const arrived = events.some((e) => e.kind === 'created' || (e.kind === 'field_changed' && e.field === 'group'));
  if (!arrived || ['solved', 'closed', 'merged'].includes(ticket.statusCategory)) return ticket;
  const userId = await assigner(tx, ticket);
  if (!userId) return ticket;
  const [updated] = (await tx
    .update(tickets)
    .set({ assigneeId: userId, version: sql`${tickets.version} + 1`, updatedAt: d.ctx.clock.now() })
    .where(eq(tickets.id, ticket.id))
    .returning()) as [TicketRow];
  await record(d, tx, null, updated, [{ kind: 'field_changed', field: 'assignee', from: null, to: userId }]);
  return updated;
}
