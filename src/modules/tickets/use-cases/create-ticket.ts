import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Executor, rowsOf, type Tx } from '../../../db/client.js';
import { type Actor, isStaff, SYSTEM_ACTOR } from '../../../platform/auth.js';
import { AppError, foreignKeyColumn } from '../../../platform/errors.js';
import { personRowSql } from '../../people/people.service.js';
import { EVENTS_CHANNEL, eventActor, eventFromRow, eventInsertSql, type NewEvent, pendingEvents } from '../events.js';
import { type TicketQueries, type TicketRow, type TicketView, ticketView } from '../tickets.queries.js';
import { type Channel, messages, ticketFollowers, tickets } from '../tickets.schema.js';
import { autoAssign, inTransaction, type TicketDeps, type Within } from './command.js';
import { capFollowers, noteFollowersLeftOut } from './follower-limit.js';
import { claimAttachments, INDEXED_CHARS, type RenderFormat, renderBody } from './messages.js';
import { checkAssignee, checkRequiredOnSolve, customerMayAdd, dropNulls, LIGHT_AGENT_CANNOT_SET, resolveFollowers, stateFor } from './ticket-rules.js';

/** A new ticket as its reporter gives it: the first message is its description. */
export type NewTicket = {
  subject: string;
  description: string;
  format: RenderFormat;
  requesterId?: string;
  /** A requester Lifeline may not know yet (staff only): found or created by email. */
  requester?: { email: string; name?: string };
  organizationId?: string | null;
  assigneeId?: string | null;
  groupId?: string | null;
  status?: string;
  priority?: string;
  type?: string | null;
  channel?: Channel;
  tags: string[];
  productArea?: string | null;
  dueAt?: string | null;
  customFields: Record<string, unknown>;
  followerIds: string[];
  cc: string[];
  attachmentIds: string[];
};

export type TicketDetail = TicketView & { followerIds: string[]; links: Awaited<ReturnType<TicketQueries['links']>> };
export type CreatedTicket = { ticket: TicketRow; detail: TicketDetail; messageId: string };

/**
 * `trusted` says the input was built by Lifeline itself from a channel, not sent by the caller, so fields only
 * staff may set (group, type, requester) are allowed even though the author is a customer. `defaultChannel` is
 * the channel of staff-made tickets that name none.
 */
export type CreateOptions = {
  trusted?: boolean;
  defaultChannel?: Channel;
  /** For a channel's message: its id there, and whether its sender could not be verified (written on the message). */
  stamp?: { externalId: string; senderUnverified: boolean };
} & Within;

/**
 * Opens a ticket. The ticket, its first message and its events are one statement (`eventInsertSql`), atomic on its
 * own: creation is the hot path (≥ 1,000 tickets/s at concurrency 16). A transaction is opened only when more must
 * commit with it: a new requester, followers, attachments, an assignee check, subscribers' jobs, or the caller's.
 */
/** The columns of a new ticket that are the same for every creation. */
const AFTER_INSERT = { escalatedFromGroupIds: [], mergedIntoId: null, followUpOfId: null, version: 1, closedAt: null, searchVector: '' } satisfies Partial<TicketRow>;

export async function createTicket(d: TicketDeps, actor: Actor, input: NewTicket, options: CreateOptions = {}): Promise<CreatedTicket> {
  const staff = isStaff(actor) || options.trusted === true;
  if (!staff) {
    const staffOnly = (['requesterId', 'requester', 'organizationId', 'assigneeId', 'groupId', 'status', 'type', 'followerIds', 'dueAt'] as const).filter(
      (k) => input[k] !== undefined && !(Array.isArray(input[k]) && (input[k] as unknown[]).length === 0),
    );
    if (staffOnly.length) throw new AppError('FORBIDDEN', `Customers cannot set ${staffOnly.join(', ')}`);
  } else if (actor.role === 'light_agent' && options.trusted !== true) {
    // The same rules on create as on update: what a light agent may not change by PATCH, they may not set here.
    const agentOnly = LIGHT_AGENT_CANNOT_SET.filter((k) => (k === 'organizationId' ? input[k] !== undefined : input[k] != null));
    if (agentOnly.length) {
      throw new AppError('FORBIDDEN', `Light agents cannot set ${agentOnly.join(', ')}; an agent does`, {
        fields: agentOnly.map((k) => ({ path: k, message: 'only agents set this' })),
      });
    }
  }
  // Settings come from the per-process cache; checks that need no query run before the transaction opens. In a
  // caller's transaction they read through it (embedded PGlite has one connection: another read would wait).
  const reads = options.tx ?? d.ctx.db;
  const state = await stateFor(d, input.status ?? 'new', reads);
  if (state.category === 'merged' || state.category === 'closed') {
    throw new AppError('INVALID_TRANSITION', `A ticket cannot start in state ${state.key}`);
  }
  const priority = await d.settings.resolvePriority(input.priority, reads);
  if (input.type) await d.settings.requireType(input.type, reads);
  const customFields = await d.fields.validate('ticket', input.customFields, reads);
  if (state.category === 'solved') await checkRequiredOnSolve(d, customFields, reads);
  const body = renderBody(input.description, input.format, isStaff(actor) ? 'staff' : 'customer');
  // An existing requester is referenced by id and read inside the create statement (their organisation, name
  // and email); their foreign key rejects an unknown id. A new one (by email) is created in a transaction.
  const newRequester = staff && !input.requesterId && input.requester ? input.requester : undefined;
  const assigneeId = input.assigneeId ?? null;
  const groupId = input.groupId ?? null;
  const followerInput = input.followerIds.length > 0 || input.cc.length > 0;
  const needsTransaction =
    !!newRequester || followerInput || input.attachmentIds.length > 0 || assigneeId !== null || d.events.size > 0 || !!d.assigner() || !!options.tx;
  const write = async (ex: Executor): Promise<CreatedTicket> => {
    const now = d.ctx.clock.now();
    const madeRequester = newRequester ? await d.people.findOrCreateCustomer(newRequester, ex) : undefined;
    const requesterId = madeRequester ? madeRequester.id : staff ? (input.requesterId ?? actor.userId) : actor.userId;
    if (assigneeId) await checkAssignee(d, assigneeId, groupId, ex);
    const ticketId = randomUUID();
    const messageId = randomUUID();
    const values = {
      id: ticketId,
      subject: input.subject,
      status: state.key,
      statusCategory: state.category,
      priorityId: priority.id,
      priorityRank: priority.rank,
      type: input.type ?? null,
      requesterId,
      assigneeId,
      groupId,
      channel: input.channel ?? (staff ? (options.defaultChannel ?? 'api') : 'portal'),
      tags: [...new Set(input.tags)],
      productArea: input.productArea ?? null,
      dueAt: input.dueAt ? new Date(input.dueAt) : null,
      customFields: dropNulls(customFields),
      createdAt: now,
      updatedAt: now,
      solvedAt: state.category === 'solved' ? now : null,
      statusChangedAt: now,
      requesterRepliedAt: now,
    } satisfies Partial<typeof tickets.$inferInsert>;
    // `r` is the requester row, read by the statement below; an unknown id leaves it empty and the foreign
    // key refuses the ticket. Organisation and group ids are checked by their foreign keys too.
    const insertTicket = ex
      .insert(tickets)
      .values({
        ...values,
        organizationId: input.organizationId !== undefined ? input.organizationId : sql`(select organization_id from r)`,
        searchVector: sql`setweight(to_tsvector('english', ${input.subject}), 'A') || setweight(to_tsvector('english', coalesce((select name || ' ' || email from r), '') || ' ' || ${body.text.slice(0, INDEXED_CHARS)}), 'B')`,
      })
      .returning({ id: tickets.id, number: tickets.number, organizationId: tickets.organizationId });
    const authorId = requesterId === actor.userId || !staff ? actor.userId : requesterId;
    const at = now.toISOString();
    const newEvents: NewEvent[] = [
      { kind: 'created', to: { number: 0, status: state.key, priority: priority.key, channel: values.channel, requesterId } },
      {
        kind: 'message_added',
        // The first message is always the requester's (staff creating for someone write it in their name).
        to: { messageId, public: true, author: 'requester', direction: 'inbound', channel: values.channel },
      },
    ];
    const eventActorOf = eventActor(actor.userId, values.channel);
    const insertEvents = eventInsertSql({
      source: sql`t`,
      ticketId: sql`t.id`,
      version: sql`1`,
      actor: eventActorOf,
      at: now,
      // The ticket's number is known inside the statement only; 0 stands for it until then.
      toMerge: { created: sql`jsonb_build_object('number', t.number)` },
      events: newEvents,
    });
    // Steps that can write in this statement do (reports' row: no round trip of its own), and are not called after.
    // They are shown the ticket as the statement will store it, so they decide as their steps would (reports picks the
    // SLA policy, whose condition may name the organisation): its organisation is the one named, else the requester's,
    // known here without a read when the requester is new or the actor. Otherwise (staff for someone else) none is
    // assumed; `as_told` holds the stored ticket only if its organisation is the one assumed, so a wrong guess (or a
    // requester moved meanwhile) leaves the riders' writes empty and their steps run after the statement instead.
    const assumedOrganizationId =
      input.organizationId !== undefined ? input.organizationId : madeRequester ? madeRequester.organizationId : requesterId === actor.userId ? actor.organizationId : null;
    const pendingTicket: TicketRow = { ...values, ...AFTER_INSERT, number: 0, organizationId: assumedOrganizationId };
    const riders = d.events.size
      ? await d.events.creationRiders(ex, { ticket: pendingTicket, events: pendingEvents({ ticketId, version: 1, actor: eventActorOf, at: now, events: newEvents }) })
      : { ctes: [], done: new Set<string>() };
    const riderCtes = riders.ctes.length
      ? [
          sql`, as_told as (select t.* from t where t.organization_id is not distinct from ${assumedOrganizationId}::uuid)`,
          ...riders.ctes.map((cte, i) => sql`, ${sql.raw(`rider${i}`)} as (${cte})`),
        ]
      : [];
    const result = await ex.execute(sql`
      with r as (${personRowSql(requesterId)}),
      t as (${insertTicket.getSQL()}),
      m as (
        insert into ${messages} (id, ticket_id, author_id, public, direction, channel, body_text, body_html, created_at, external_id, sender_unverified)
        select ${messageId}::uuid, t.id, ${authorId}::uuid, true, 'inbound', ${values.channel}, ${body.text}, ${body.html}, ${at}::timestamptz,
               ${options.stamp?.externalId ?? null}, ${options.stamp?.senderUnverified ?? false} from t),
      e as (${insertEvents}),
      n as (select pg_notify(${EVENTS_CHANNEL}, json_build_object('ticketId', e.ticket_id, 'ids', json_build_array(e.id))::text) from e)
      ${sql.join(riderCtes, sql``)}
      select t.number, t.organization_id, (select count(*) from n) as notified, (select json_agg(e order by e.id) from e) as events,
             ${riders.ctes.length ? sql`exists (select 1 from as_told)` : sql`false`} as told,
             (select json_build_object('id', r.id, 'name', r.name, 'email', r.email) from r) as requester
      from t`);
    const [row] = rowsOf<{ number: number | string; organization_id: string | null; events: Record<string, unknown>[]; told: boolean; requester: { id: string; name: string; email: string } }>(result);
    if (!row) throw new Error('ticket insert returned no row');
    const ticket: TicketRow = { ...values, ...AFTER_INSERT, number: Number(row.number), organizationId: row.organization_id };
    if (input.attachmentIds.length) await claimAttachments(ex, messageId, input.attachmentIds, actor.userId);
    const { kept: followerIds, leftOut } = followerInput
      ? await capFollowers(d, ex, null, await customerMayAdd(d, actor, await resolveFollowers(d, ex, [...input.followerIds], input.cc, requesterId), ex, options.trusted !== true), options.trusted !== true)
      : { kept: [], leftOut: [] };
    if (followerIds.length) await ex.insert(ticketFollowers).values(followerIds.map((userId) => ({ ticketId, userId })));
    const events = (row.events ?? []).map(eventFromRow);
    // With subscribers or an assigner a transaction is always open (needsTransaction), so `ex` is one.
    await d.events.dispatch(ex as Tx, events, ticket, row.told ? riders.done : undefined);
    // The answer shows the ticket as created (before auto-assignment), as it always has.
    await autoAssign(d, ex as Tx, ticket, events);
    // A channel's Cc beyond the limit of customer followers: left out, and the ticket says so (the API refused above).
    if (leftOut.length) await noteFollowersLeftOut(d, ex as Tx, await d.queries.getRow(SYSTEM_ACTOR, ticketId, ex, true), leftOut);
    return { ticket, detail: { ...ticketView(ticket, row.requester, priority), followerIds, links: [] }, messageId };
  };
  try {
    return needsTransaction ? await inTransaction(d, options, (tx) => write(tx)) : await write(d.ctx.db);
  } catch (err) {
    const column = foreignKeyColumn(err);
    if (!column) throw err;
    const field = { organization_id: 'organizationId', group_id: 'groupId', requester_id: 'requesterId' }[column] ?? column;
    throw new AppError('INVALID_REFERENCE', `No ${field.replace(/Id$/, '')} with id ${String(input[field as keyof NewTicket])}`, {
      fields: [{ path: field, message: 'unknown id' }],
    });
  }
}
