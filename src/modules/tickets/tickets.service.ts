import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import { type Actor, isAgent, isStaff, SYSTEM_ACTOR } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, foreignKeyColumn } from '../../platform/errors.js';
import { htmlToText, markdownToHtml, sanitize, textToHtml } from '../../platform/html.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { groupMembers, users } from '../people/people.schema.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService, TicketState } from './settings.service.js';
import type { AddMessageBody, BulkBody, CreateTicketBody, EscalateBody, UpdateTicketBody } from './tickets.schemas.js';
import { attachments, type Channel, messages, ticketEvents, ticketFollowers, ticketLinks, tickets } from './tickets.schema.js';
import { type TicketQueries, type TicketRow, type TicketView, ticketView, visibleTo } from './tickets.queries.js';
import { allowedTargets, canTransition } from './transitions.js';
import { type TICKET_FIELDS, appendEvents, EVENTS_CHANNEL, type EventSubscriber, eventActor, eventFromRow, eventInsertSql, type NewEvent, type TicketEvent, TicketEventStream } from './events.js';

export type { TicketEvent } from './events.js';
type TicketField = (typeof TICKET_FIELDS)[number];
export { EVENTS_CHANNEL } from './events.js';
export type TicketDetail = TicketView & { followerIds: string[]; links: Awaited<ReturnType<TicketQueries['links']>> };
export type CreatedTicket = { ticket: TicketRow; detail: TicketDetail; messageId: string };
export type AddedMessage = {
  ticket: TicketRow;
  messageId: string;
  followUp: boolean;
  /** With `authorMustChange`: the staff author may not change the ticket, so the message became a plain note. */
  authorRefused?: boolean;
};

/**
 * How a channel (email, later Slack and others) hands a ticket command its own writes: `within` runs inside the
 * command's transaction, so e.g. marking an inbound email processed commits exactly when its ticket does.
 * `trusted` says the input was built by Lifeline itself from a channel, not sent by the caller, so fields only
 * staff may set (group, type, requester) are allowed even though the author is a customer.
 */
export type CreateOptions = { trusted?: boolean; within?: (tx: Tx, created: CreatedTicket) => Promise<void> };
export type ReceiveOptions = {
  within?: (tx: Tx, added: AddedMessage) => Promise<void>;
  /**
   * A staff author must be allowed to change the ticket the message finally lands on (the API's rule: visible to
   * them, and not escalated away when that is read-only); if not, the message is an internal note with no
   * followers and `authorRefused` is set.
   */
  authorMustChange?: boolean;
};
/** Runs the command inside a caller's transaction (as a savepoint): an automation's actions commit with its claim. */
export type Within = { tx?: Tx };

/**
 * Called inside the transaction of every ticket command with the events it wrote, to enqueue its jobs (the email
 * channel's). New code declares an `EventSubscriber` with `subscribe` instead (see events.ts).
 */
export type TicketEventListener = (tx: Tx, events: TicketEvent[], ticket: TicketRow) => Promise<void>;

/**
 * Auto-assignment, an explicit step of the commands that put a ticket into a group (create, a group change,
 * escalation): it picks a member, and the command itself records the assignment. It reads, never writes tickets.
 */
export type AutoAssigner = (tx: Tx, ticket: TicketRow) => Promise<string | null>;

// What a light agent may not change by PATCH (only agents update tickets), so may not set on create either.
const LIGHT_AGENT_CANNOT_SET = ['status', 'priority', 'assigneeId', 'groupId', 'type', 'dueAt', 'organizationId'] as const;

// Search indexes at most this much of one message: a pasted log must not blow the tsvector limit.
const INDEXED_CHARS = 20_000;

/** Ticket commands: each runs in one transaction that writes the state, its events, and the jobs it causes. */
export class TicketsService {
  /** The ticket event stream's subscribers (SLA clocks, triggers, email …), declared by their modules. */
  readonly events: TicketEventStream;
  private assigner: AutoAssigner | undefined;
  private legacy = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly settings: TicketSettingsService,
    private readonly fields: CustomFieldsService,
    private readonly queries: TicketQueries,
  ) {
    this.events = new TicketEventStream(ctx.clock);
  }

  /** Declares a subscriber of the ticket event stream: an in-transaction step or (the default) a job. */
  subscribe(subscriber: EventSubscriber): void {
    this.events.subscribe(subscriber);
  }

  /** A listener that enqueues its own jobs in the command's transaction: a job subscriber under another name. */
  onEvents(listener: TicketEventListener): void {
    this.subscribe({
      name: `listener-${++this.legacy}`,
      mode: 'job',
      jobs: async (tx, events, ticket) => {
        await listener(tx, events, ticket);
        return [];
      },
    });
  }

  /** Sets the auto-assignment step (the assignment module's). */
  useAutoAssignment(assigner: AutoAssigner): void {
    this.assigner = assigner;
  }

  // ---- create

  async create(actor: Actor, input: CreateTicketBody, defaultChannel: Channel = 'api', options: CreateOptions = {}): Promise<CreatedTicket> {
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
          fields: agentOnly.map((k) => ({ path: `body.${k}`, message: 'only agents set this' })),
        });
      }
    }
    // Settings come from the per-process cache; checks that need no query run before the transaction opens.
    const state = await this.stateFor(input.status ?? 'new', this.ctx.db);
    if (state.category === 'merged' || state.category === 'closed') {
      throw new AppError('INVALID_TRANSITION', `A ticket cannot start in state ${state.key}`);
    }
    const priority = await this.settings.resolvePriority(input.priority);
    if (input.type) await this.settings.requireType(input.type);
    const customFields = await this.fields.validate('ticket', input.customFields);
    if (state.category === 'solved') await this.checkRequiredOnSolve(customFields, this.ctx.db);
    const body = renderBody(input.description, input.format, isStaff(actor) ? 'staff' : 'customer');
    // An existing requester is referenced by id and read inside the create statement (their organisation, name
    // and email); their foreign key rejects an unknown id. A new one (by email) is created in a transaction.
    const newRequester = staff && !input.requesterId && input.requester ? input.requester : undefined;
    const assigneeId = input.assigneeId ?? null;
    const groupId = input.groupId ?? null;
    const followerInput = input.followerIds.length > 0 || input.cc.length > 0;
    // The ticket, its first message and its events are one statement, which is atomic on its own. A
    // transaction is opened only when more must commit with it: a new requester, followers, attachments, an
    // assignee check, or listeners' jobs.
    const needsTransaction =
      !!newRequester || followerInput || input.attachmentIds.length > 0 || assigneeId !== null || this.events.size > 0 || !!this.assigner || !!options.within;
    const write = async (ex: Executor): Promise<CreatedTicket> => {
      const now = this.ctx.clock.now();
      const requesterId = newRequester ? (await this.people.findOrCreateCustomer(newRequester, ex)).id : staff ? (input.requesterId ?? actor.userId) : actor.userId;
      if (assigneeId) await this.checkAssignee(assigneeId, groupId, ex);
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
        channel: input.channel ?? (staff ? defaultChannel : 'portal'),
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
      const insertEvents = eventInsertSql({
        source: sql`t`,
        ticketId: sql`t.id`,
        version: sql`1`,
        actor: eventActor(actor.userId, values.channel),
        at: now,
        // The ticket's number is known inside the statement only; 0 stands for it until then.
        toMerge: { created: sql`jsonb_build_object('number', t.number)` },
        events: [
          { kind: 'created', to: { number: 0, status: state.key, priority: priority.key, channel: values.channel, requesterId } },
          {
            kind: 'message_added',
            // The first message is always the requester's (staff creating for someone write it in their name).
            to: { messageId, public: true, author: 'requester', direction: 'inbound', channel: values.channel },
          },
        ],
      });
      const result = await ex.execute(sql`
        with r as (select id, name, email, organization_id from ${users} where id = ${requesterId}::uuid),
        t as (${insertTicket.getSQL()}),
        m as (
          insert into ${messages} (id, ticket_id, author_id, public, direction, channel, body_text, body_html, created_at)
          select ${messageId}::uuid, t.id, ${authorId}::uuid, true, 'inbound', ${values.channel}, ${body.text}, ${body.html}, ${at}::timestamptz from t),
        e as (${insertEvents}),
        n as (select pg_notify(${EVENTS_CHANNEL}, json_build_object('ticketId', e.ticket_id, 'ids', json_build_array(e.id))::text) from e)
        select t.number, t.organization_id, (select count(*) from n) as notified, (select json_agg(e order by e.id) from e) as events,
               (select json_build_object('id', r.id, 'name', r.name, 'email', r.email) from r) as requester
        from t`);
      const [row] = rowsOf<{ number: number | string; organization_id: string | null; events: Record<string, unknown>[]; requester: { id: string; name: string; email: string } }>(result);
      if (!row) throw new Error('ticket insert returned no row');
      const ticket: TicketRow = {
        ...values,
        number: Number(row.number),
        organizationId: row.organization_id,
        escalatedFromGroupIds: [],
        mergedIntoId: null,
        followUpOfId: null,
        version: 1,
        closedAt: null,
        searchVector: '',
      };
      if (input.attachmentIds.length) await this.claimAttachments(ex, messageId, input.attachmentIds, actor.userId);
      const followerIds = followerInput
        ? await this.customerMayAdd(actor, await this.resolveFollowers(ex, [...input.followerIds], input.cc, requesterId), ex, options.trusted !== true)
        : [];
      if (followerIds.length) await ex.insert(ticketFollowers).values(followerIds.map((userId) => ({ ticketId, userId })));
      const events = (row.events ?? []).map(eventFromRow);
      await this.events.dispatch(ex as Tx, events, ticket);
      const assigned = await this.autoAssign(ex as Tx, ticket, events);
      // The answer shows the ticket as created (before auto-assignment), as it always has.
      void assigned;
      const created = { ticket, detail: { ...ticketView(ticket, row.requester, priority), followerIds, links: [] }, messageId };
      if (options.within) await options.within(ex as Tx, created);
      return created;
    };
    try {
      return needsTransaction ? await this.ctx.db.transaction((tx) => write(tx)) : await write(this.ctx.db);
    } catch (err) {
      const column = foreignKeyColumn(err);
      if (!column) throw err;
      const field = { organization_id: 'organizationId', group_id: 'groupId', requester_id: 'requesterId' }[column] ?? column;
      throw new AppError('INVALID_REFERENCE', `No ${field.replace(/Id$/, '')} with id ${String(input[field as keyof CreateTicketBody])}`, {
        fields: [{ path: `body.${field}`, message: 'unknown id' }],
      });
    }
  }

  // ---- update

  async update(actor: Actor | null, id: string, patch: UpdateTicketBody, expectedVersion?: number, options: Within = {}): Promise<TicketRow> {
    return (options.tx ?? this.ctx.db).transaction(async (tx) => {
      const current = await this.queries.getRow(actor ?? SYSTEM_ACTOR, id, tx, true);
      if (actor) await this.checkVersion(actor, current, expectedVersion ?? patch.version, tx);
      const { row, events } = await this.applyPatch(tx, current, patch);
      if (!events.length) return current;
      const [updated] = (await tx
        .update(tickets)
        .set({ ...row, version: current.version + 1, updatedAt: this.ctx.clock.now() })
        .where(eq(tickets.id, id))
        .returning()) as [TicketRow];
      await this.record(tx, actor, updated, events);
      await this.autoAssign(tx, updated, events);
      return updated;
    });
  }

  // ---- escalation

  /**
   * Moves a ticket up a tier — to its group's "escalates to", or a named group — with the structured form kept
   * as an internal note and an `escalated` event (who, why, when) that reports count and notifications follow.
   * `actor` null is Lifeline itself (an automation).
   */
  async escalate(actor: Actor | null, id: string, form: EscalateBody, options: Within = {}): Promise<TicketRow> {
    return (options.tx ?? this.ctx.db).transaction(async (tx) => {
      const current = await this.queries.getRow(actor ?? SYSTEM_ACTOR, id, tx, true);
      if (actor) await this.checkVersion(actor, current, form.version, tx);
      if (['merged', 'closed', 'solved'].includes(current.statusCategory)) {
        throw new AppError('CANNOT_ESCALATE', `Ticket #${current.number} is ${current.statusCategory}; only open work is escalated`);
      }
      const from = current.groupId ? await this.people.getGroup(current.groupId, tx) : undefined;
      const toGroupId = form.toGroupId ?? from?.escalatesToId ?? null;
      if (!toGroupId) {
        throw new AppError(
          'CANNOT_ESCALATE',
          from ? `${from.name} is the top tier: it escalates to no group; name one with toGroupId` : 'The ticket has no group to escalate from; name one with toGroupId',
          { fields: [{ path: 'body.toGroupId', message: 'required here' }] },
        );
      }
      if (toGroupId === current.groupId) throw new AppError('CANNOT_ESCALATE', 'The ticket is already in that group');
      const to = await this.people.getGroup(toGroupId, tx, 'INVALID_REFERENCE');
      const { row, events } = await this.applyPatch(tx, current, { groupId: toGroupId });
      // The tier that escalated keeps seeing the ticket, even when its agents see only their groups' tickets.
      if (current.groupId && !current.escalatedFromGroupIds.includes(current.groupId)) {
        row.escalatedFromGroupIds = [...current.escalatedFromGroupIds, current.groupId];
      }
      const note = [
        `**Escalated** from ${from?.name ?? 'no group'} to ${to.name} — urgency: ${form.urgency}`,
        `**Impact:** ${form.impact}`,
        `**Tried:** ${form.tried}`,
        `**Needed:** ${form.needed}`,
      ].join('\n\n');
      const noteId = await this.insertMessage(tx, current, {
        authorId: actor?.userId ?? null,
        public: false,
        direction: 'internal',
        channel: 'api',
        body: renderBody(note, 'markdown'),
        attachmentIds: [],
        uploaderId: null,
      });
      const [updated] = (await tx
        .update(tickets)
        .set({ ...row, version: current.version + 1, updatedAt: this.ctx.clock.now() })
        .where(eq(tickets.id, id))
        .returning()) as [TicketRow];
      await this.record(tx, actor, updated, [
        ...events,
        {
          kind: 'escalated',
          from: { groupId: current.groupId, group: from?.name ?? null },
          to: { groupId: to.id, group: to.name, urgency: form.urgency, impact: form.impact, tried: form.tried, needed: form.needed, by: actor ? 'agent' : 'automation' },
          public: false,
        },
        { kind: 'message_added', to: { messageId: noteId, public: false, author: actor ? 'agent' : 'system', direction: 'internal', channel: 'api' }, public: false },
      ]);
      await this.autoAssign(tx, updated, events);
      return updated;
    });
  }

  private async checkVersion(actor: Actor, current: TicketRow, expected: number | undefined, tx: Tx): Promise<void> {
    if (expected === undefined || expected === current.version) return;
    const [view] = await this.queries.views([current], tx);
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

  /** Validates a patch against the current ticket; returns the columns to set and one event per changed field. */
  private async applyPatch(tx: Tx, t: TicketRow, p: UpdateTicketBody): Promise<{ row: Partial<typeof tickets.$inferInsert>; events: NewEvent[] }> {
    const row: Partial<typeof tickets.$inferInsert> = {};
    const events: NewEvent[] = [];
    const change = (field: TicketField, from: unknown, to: unknown, set: () => void) => {
      if (JSON.stringify(from ?? null) === JSON.stringify(to ?? null)) return;
      set();
      events.push({ kind: 'field_changed', field, from: from ?? null, to: to ?? null });
    };
    if (t.statusCategory === 'merged') throw new AppError('INVALID_TRANSITION', `Ticket #${t.number} was merged; change the ticket it was merged into`);

    if (p.subject !== undefined) change('subject', t.subject, p.subject, () => (row.subject = p.subject));
    if (p.priority !== undefined) {
      const prio = await this.settings.resolvePriority(p.priority, tx);
      const old = (await this.settings.allPriorities(tx)).find((x) => x.id === t.priorityId);
      change('priority', old?.key, prio.key, () => {
        row.priorityId = prio.id;
        row.priorityRank = prio.rank;
      });
    }
    if (p.type !== undefined) {
      if (p.type) await this.settings.requireType(p.type, tx);
      change('type', t.type, p.type, () => (row.type = p.type));
    }
    let groupId = t.groupId;
    if (p.groupId !== undefined) {
      if (p.groupId) await this.people.getGroup(p.groupId, tx, 'INVALID_REFERENCE');
      groupId = p.groupId;
      change('group', t.groupId, p.groupId, () => (row.groupId = p.groupId));
    }
    let assigneeId = p.assigneeId !== undefined ? p.assigneeId : t.assigneeId;
    if (assigneeId && (p.assigneeId !== undefined || p.groupId !== undefined)) {
      const fits = await this.assigneeFits(assigneeId, groupId, tx);
      // Moving a ticket to another group drops an assignee who is not in it, as Zendesk does.
      if (!fits && p.assigneeId === undefined) assigneeId = null;
      else if (p.assigneeId) await this.checkAssignee(p.assigneeId, groupId, tx);
    }
    change('assignee', t.assigneeId, assigneeId, () => (row.assigneeId = assigneeId));
    if (p.organizationId !== undefined) {
      if (p.organizationId) await this.people.getOrganization(p.organizationId, tx, 'INVALID_REFERENCE');
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
      const valid = await this.fields.validate('ticket', p.customFields, tx);
      customFields = dropNulls({ ...t.customFields, ...valid });
      change('custom_fields', t.customFields, customFields, () => (row.customFields = customFields));
    }
    if (p.status !== undefined) {
      const next = await this.stateFor(p.status, tx);
      if (next.key !== t.status) {
        await this.checkTransition(t, next, customFields, tx);
        change('status', t.status, next.key, () => Object.assign(row, this.stateColumns(t, next)));
      }
    }
    if (p.followerIds !== undefined) {
      const before = (await tx.select({ u: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, t.id))).map((f) => f.u).sort();
      const after = (await this.resolveFollowers(tx, p.followerIds, [], null)).sort();
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        await tx.delete(ticketFollowers).where(eq(ticketFollowers.ticketId, t.id));
        if (after.length) await tx.insert(ticketFollowers).values(after.map((userId) => ({ ticketId: t.id, userId })));
        events.push({ kind: 'field_changed', field: 'followers', from: before, to: after });
      }
    }
    return { row, events };
  }

  private async checkTransition(t: TicketRow, next: TicketState, customFields: Record<string, unknown>, tx: Executor): Promise<void> {
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
    if (next.category === 'solved') await this.checkRequiredOnSolve(customFields, tx);
  }

  private async checkRequiredOnSolve(customFields: Record<string, unknown>, tx: Executor): Promise<void> {
    const missing = await this.fields.missingOnSolve(customFields, tx);
    if (missing.length) {
      throw new AppError('REQUIRED_ON_SOLVE', `Fill in ${missing.join(', ')} before solving`, {
        fields: missing.map((k) => ({ path: `body.customFields.${k}`, message: 'required to solve the ticket' })),
      });
    }
  }

  private stateColumns(t: TicketRow, next: TicketState): Partial<typeof tickets.$inferInsert> {
    const now = this.ctx.clock.now();
    return {
      status: next.key,
      statusCategory: next.category,
      statusChangedAt: now,
      solvedAt: next.category === 'solved' ? now : next.category === 'closed' ? (t.solvedAt ?? now) : null,
      closedAt: next.category === 'closed' ? now : null,
    };
  }

  private async stateFor(key: string, ex: Executor): Promise<TicketState> {
    const state = await this.settings.getState(key, ex);
    if (!state) {
      const all = await this.settings.listStates(ex);
      throw new AppError('INVALID_REFERENCE', `Unknown state ${key}`, {
        fields: [{ path: 'body.status', message: `expected one of ${all.map((s) => s.key).join(', ')}` }],
      });
    }
    return state;
  }

  private async assigneeFits(userId: string, groupId: string | null, ex: Executor): Promise<boolean> {
    if (!groupId) return true;
    const [m] = await ex.select().from(groupMembers).where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)));
    return !!m;
  }

  private async checkAssignee(userId: string, groupId: string | null, ex: Executor): Promise<void> {
    const [u] = await ex.select().from(users).where(eq(users.id, userId));
    const field = [{ path: 'body.assigneeId', message: 'must be an active agent' }];
    if (!u?.active || (u.role !== 'agent' && u.role !== 'admin')) {
      throw new AppError('INVALID_REFERENCE', `User ${userId} is not an active agent and cannot be assigned`, { fields: field });
    }
    if (!(await this.assigneeFits(userId, groupId, ex))) {
      throw new AppError('INVALID_REFERENCE', `${u.name} is not a member of the ticket's group`, {
        fields: [{ path: 'body.assigneeId', message: "must be a member of the ticket's group" }],
      });
    }
  }

  /**
   * The followers a customer may add: with CUSTOMER_FOLLOWERS=own_organization (the default) people of their own
   * organisation, with `none` nobody; staff add anyone. A follower reads the ticket, so a customer must not be
   * able to show it to another organisation, or to a staff member outside its group. `strict` (the API) refuses
   * the request naming the addresses; otherwise (a channel) they are dropped.
   */
  /**
   * The followers a customer may add: people of their own organisation, and (for an existing ticket, given as
   * `ticketOrganizationId`) of the ticket's organisation too — a customer of another organisation never brings
   * their colleagues onto it.
   */
  private async customerMayAdd(actor: Actor, ids: string[], ex: Executor, strict: boolean, ticketOrganizationId?: string | null): Promise<string[]> {
    if (actor.role !== 'customer' || !ids.length) return ids;
    const people = await ex.select({ id: users.id, email: users.email, organizationId: users.organizationId, role: users.role }).from(users).where(inArray(users.id, ids));
    const mayAdd = (p: (typeof people)[number]) =>
      this.ctx.config.customerFollowers === 'own_organization' &&
      actor.organizationId !== null &&
      p.role === 'customer' &&
      p.organizationId === actor.organizationId &&
      (ticketOrganizationId === undefined || p.organizationId === ticketOrganizationId);
    const refused = people.filter((p) => !mayAdd(p));
    if (refused.length && strict) {
      const why = this.ctx.config.customerFollowers === 'none' ? 'Customers cannot add followers' : 'Customers can add only people of their own organization as followers';
      throw new AppError('FOLLOWERS_NOT_ALLOWED', `${why}: ${refused.map((p) => p.email).join(', ')}`, {
        fields: [{ path: 'body.cc', message: why.toLowerCase() }],
        extra: { refused: refused.map((p) => p.email) },
      });
    }
    return people.filter(mayAdd).map((p) => p.id);
  }

  private async resolveFollowers(tx: Executor, ids: string[], emails: string[], requesterId: string | null): Promise<string[]> {
    const out = new Set<string>();
    if (ids.length) {
      const found = await tx.select({ id: users.id }).from(users).where(inArray(users.id, ids));
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new AppError('INVALID_REFERENCE', `Unknown followers: ${missing.join(', ')}`);
      for (const f of found) out.add(f.id);
    }
    for (const email of emails) out.add((await this.people.findOrCreateCustomer({ email }, tx)).id);
    if (requesterId) out.delete(requesterId);
    return [...out];
  }

  // ---- conversation

  /**
   * Adds a public reply or internal note. A requester's reply moves the ticket per its state's rule (pending →
   * open, solved → reopened); on a closed ticket it starts a follow-up ticket instead. An agent's first public
   * reply opens a new ticket. Returns the ticket the message landed on.
   */
  async addMessage(actor: Actor, id: string, input: AddMessageBody, channel: Channel = 'api'): Promise<AddedMessage> {
    const staff = isStaff(actor);
    const isPublic = staff ? input.public : true;
    if (!staff && input.public === false) throw new AppError('FORBIDDEN', 'Customers cannot add internal notes');
    if (isPublic && staff && !isAgent(actor)) throw new AppError('FORBIDDEN', 'Light agents can add internal notes, not public replies');
    if (input.status !== undefined && !isAgent(actor)) throw new AppError('FORBIDDEN', 'Only agents can set the state with a message');

    const closed = await this.ctx.db.transaction(async (tx) => {
      const t = await this.queries.getRow(actor, id, tx, true);
      if (t.statusCategory === 'merged') {
        throw new AppError('INVALID_TRANSITION', `Ticket #${t.number} was merged into another ticket; reply there`, { extra: { mergedIntoId: t.mergedIntoId } });
      }
      if (t.statusCategory === 'closed') {
        if (staff) throw new AppError('TICKET_CLOSED', `Ticket #${t.number} is closed; create a follow-up ticket instead`);
        return t;
      }
      await this.checkVersion(actor, t, input.version, tx);
      let next: TicketState | undefined;
      if (input.status !== undefined) {
        next = await this.stateFor(input.status, tx);
        if (next.key !== t.status) await this.checkTransition(t, next, t.customFields, tx);
      } else {
        next = await this.replyState(t, !staff || actor.userId === t.requesterId, isPublic, tx);
      }
      return this.appendMessage(tx, actor, t, {
        public: isPublic,
        direction: !staff ? 'inbound' : isPublic ? 'outbound' : 'internal',
        channel,
        body: renderBody(input.body, input.format, staff ? 'staff' : 'customer'),
        attachmentIds: input.attachmentIds,
        next,
      });
    });
    if ('ticket' in closed) return closed;
    return this.createFollowUp(actor, closed, input);
  }

  /**
   * A message that arrived on a channel (an email reply, an out-of-office note, a bounce notice) for a ticket the
   * channel's threading already chose: no visibility check, a merged ticket's message goes to the ticket it was
   * merged into, and a requester's reply to a closed ticket starts a linked follow-up. A `note` is internal and
   * never changes the state (an auto-reply must not reopen a ticket). `author` null is Lifeline itself.
   */
  async receiveMessage(
    author: Actor | null,
    ticketId: string,
    given: { body: string; format: 'markdown' | 'html' | 'text'; attachmentIds: string[]; note: boolean; followerIds?: string[]; channel: Channel },
    options: ReceiveOptions & Within = {},
  ): Promise<AddedMessage> {
    let input = given;
    const closed = await (options.tx ?? this.ctx.db).transaction(async (tx) => {
      let t = await this.queries.getRow(SYSTEM_ACTOR, ticketId, tx, true);
      for (let hops = 0; t.statusCategory === 'merged' && t.mergedIntoId && hops < 20; hops++) {
        t = await this.queries.getRow(SYSTEM_ACTOR, t.mergedIntoId, tx, true);
      }
      const staff = author !== null && isStaff(author);
      let authorRefused = false;
      if (options.authorMustChange && staff && author) {
        try {
          await this.queries.getRow(author, t.id, tx, true);
        } catch (err) {
          if (!(err instanceof AppError) || !['TICKET_NOT_FOUND', 'TICKET_READ_ONLY'].includes(err.code)) throw err;
          authorRefused = true;
          input = { ...input, note: true, followerIds: [] };
        }
      }
      if (t.statusCategory === 'closed' && !input.note && author) return t;
      const next = input.note ? undefined : await this.replyState(t, !staff || author?.userId === t.requesterId, true, tx);
      // A channel's Cc list from a customer: people they may not add are left out, silently (mail has no 422).
      // They must also belong to the ticket's organisation: a Cc never opens another organisation's ticket.
      const followerIds = input.followerIds?.length && author ? await this.customerMayAdd(author, input.followerIds, tx, false, t.organizationId) : input.followerIds;
      const added = await this.appendMessage(tx, author, t, {
        public: !input.note,
        direction: input.note ? 'internal' : staff ? 'outbound' : 'inbound',
        channel: input.channel,
        body: renderBody(input.body, input.format, staff ? 'staff' : 'customer'),
        attachmentIds: input.attachmentIds,
        next,
        followerIds,
      });
      const result = authorRefused ? { ...added, authorRefused } : added;
      await options.within?.(tx, result);
      return result;
    });
    if ('ticket' in closed) return closed;
    return this.createFollowUp(author as Actor, closed, { body: input.body, format: input.format, attachmentIds: input.attachmentIds }, options.within);
  }

  /**
   * A message from Lifeline itself — an automation's reminder to the requester (public: mailed like an agent's
   * reply) or its note — that does not change the state.
   */
  async addSystemMessage(ticketId: string, input: { body: string; public: boolean }, options: Within = {}): Promise<AddedMessage> {
    return (options.tx ?? this.ctx.db).transaction(async (tx) => {
      const t = await this.queries.getRow(SYSTEM_ACTOR, ticketId, tx, true);
      return this.appendMessage(tx, null, t, {
        public: input.public,
        direction: input.public ? 'outbound' : 'internal',
        channel: 'api',
        body: renderBody(input.body, 'markdown'),
        attachmentIds: [],
        next: undefined,
      });
    });
  }

  /** The state a message moves the ticket to: the requester's reply rule, or open on an agent's first reply. */
  private async replyState(t: TicketRow, byRequester: boolean, isPublic: boolean, ex: Executor): Promise<TicketState | undefined> {
    if (byRequester) return this.stateFor((await this.stateFor(t.status, ex)).onRequesterReply, ex);
    if (isPublic && t.statusCategory === 'new') return this.stateFor('open', ex);
    return undefined;
  }

  private async appendMessage(
    tx: Tx,
    actor: Actor | null,
    t: TicketRow,
    m: {
      public: boolean;
      direction: 'inbound' | 'outbound' | 'internal';
      channel: Channel;
      body: RenderedBody;
      attachmentIds: string[];
      next: TicketState | undefined;
      followerIds?: string[];
    },
  ): Promise<AddedMessage> {
    const messageId = await this.insertMessage(tx, t, {
      authorId: actor?.userId ?? null,
      public: m.public,
      direction: m.direction,
      channel: m.channel,
      body: m.body,
      attachmentIds: m.attachmentIds,
      uploaderId: actor?.userId ?? null,
    });
    // Who wrote it and whether it is the first public reply of an agent: what reports count, kept on the event.
    const author = !actor ? 'system' : actor.userId === t.requesterId ? 'requester' : isStaff(actor) ? 'agent' : 'customer';
    const firstAgentReply = m.direction === 'outbound' && m.public && author === 'agent' ? !(await this.answeredBefore(tx, t.id, messageId)) : undefined;
    const events: NewEvent[] = [
      { kind: 'message_added', to: { messageId, public: m.public, author, direction: m.direction, channel: m.channel, ...(firstAgentReply !== undefined ? { firstAgentReply } : {}) }, public: m.public },
    ];
    const set: Partial<typeof tickets.$inferInsert> = {};
    if (m.public && actor?.userId === t.requesterId) set.requesterRepliedAt = this.ctx.clock.now();
    if (m.next && m.next.key !== t.status) {
      Object.assign(set, this.stateColumns(t, m.next));
      events.push({ kind: 'field_changed', field: 'status', from: t.status, to: m.next.key });
    }
    const newFollowers = (m.followerIds ?? []).filter((u) => u !== t.requesterId);
    if (newFollowers.length) {
      const added = await tx
        .insert(ticketFollowers)
        .values([...new Set(newFollowers)].map((userId) => ({ ticketId: t.id, userId })))
        .onConflictDoNothing()
        .returning({ userId: ticketFollowers.userId });
      if (added.length) events.push({ kind: 'followers_added', to: added.map((a) => a.userId) });
    }
    // Only public text is searchable, so a customer's search can never match words of an internal note.
    const searchVector = m.public ? sql`${tickets.searchVector} || setweight(to_tsvector('english', ${m.body.text.slice(0, INDEXED_CHARS)}), 'C')` : undefined;
    const [updated] = (await tx
      .update(tickets)
      .set({ ...set, ...(searchVector ? { searchVector } : {}), version: t.version + 1, updatedAt: this.ctx.clock.now() })
      .where(eq(tickets.id, t.id))
      .returning()) as [TicketRow];
    await this.record(tx, actor, updated, events);
    return { ticket: updated, messageId, followUp: false };
  }

  /** A requester wrote on a closed ticket: a new ticket, linked to the old one, carries the conversation on. */
  private async createFollowUp(
    actor: Actor,
    closed: TicketRow,
    input: Pick<AddMessageBody, 'body' | 'attachmentIds'> & { format: RenderFormat },
    within?: ReceiveOptions['within'],
  ): Promise<AddedMessage> {
    let result: AddedMessage | undefined;
    await this.create(
      actor,
      {
        subject: closed.subject.startsWith('Re: ') ? closed.subject : `Re: ${closed.subject}`,
        description: input.body,
        format: input.format,
        requesterId: actor.userId,
        organizationId: closed.organizationId,
        groupId: closed.groupId,
        tags: closed.tags,
        customFields: {},
        followerIds: [],
        cc: [],
        attachmentIds: input.attachmentIds,
        channel: closed.channel,
      },
      'api',
      {
        // The follow-up and its link commit together, with whatever the channel writes.
        trusted: true,
        within: async (tx, created) => {
          const [t] = (await tx.update(tickets).set({ followUpOfId: closed.id }).where(eq(tickets.id, created.ticket.id)).returning()) as [TicketRow];
          await tx.insert(ticketLinks).values({ ticketId: t.id, kind: 'related', targetTicketId: closed.id, createdBy: actor.userId, createdAt: this.ctx.clock.now() });
          await this.record(tx, actor, t, [{ kind: 'follow_up_created', from: { ticketId: closed.id, number: closed.number } }]);
          await this.record(tx, actor, closed, [{ kind: 'follow_up_created', to: { ticketId: t.id, number: t.number } }]);
          result = { ticket: t, messageId: created.messageId, followUp: true };
          await within?.(tx, result);
        },
      },
    );
    return result as AddedMessage;
  }

  /** Whether an agent had already replied publicly on the ticket (before the message `except`). */
  private async answeredBefore(tx: Tx, ticketId: string, except: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(sql`${messages.ticketId} = ${ticketId} and ${messages.direction} = 'outbound' and ${messages.public} and ${messages.authorId} is not null and ${messages.id} <> ${except}`)
      .limit(1);
    return !!row;
  }

  private async insertMessage(
    tx: Tx,
    t: TicketRow,
    m: { authorId: string | null; public: boolean; direction: 'inbound' | 'outbound' | 'internal'; channel: Channel; body: RenderedBody; attachmentIds: string[]; uploaderId: string | null },
  ): Promise<string> {
    const [row] = (await tx
      .insert(messages)
      .values({
        ticketId: t.id,
        authorId: m.authorId,
        public: m.public,
        direction: m.direction,
        channel: m.channel,
        bodyText: m.body.text,
        bodyHtml: m.body.html,
        createdAt: this.ctx.clock.now(),
      })
      .returning({ id: messages.id })) as [{ id: string }];
    if (m.attachmentIds.length && m.uploaderId) await this.claimAttachments(tx, row.id, m.attachmentIds, m.uploaderId);
    return row.id;
  }

  /** Only the uploader's own, not yet attached files: an id cannot pull someone else's file into view. */
  private async claimAttachments(ex: Executor, messageId: string, ids: string[], uploaderId: string): Promise<void> {
    const claimed = await ex
      .update(attachments)
      .set({ messageId })
      .where(and(inArray(attachments.id, ids), eq(attachments.uploadedBy, uploaderId), isNull(attachments.messageId)))
      .returning({ id: attachments.id });
    const missing = ids.filter((id) => !claimed.some((c) => c.id === id));
    if (missing.length) {
      throw new AppError('INVALID_REFERENCE', `Attachments not found or already used: ${missing.join(', ')}`, {
        fields: [{ path: 'body.attachmentIds', message: 'upload each file first, and use it once' }],
      });
    }
  }

  // ---- merge and links

  /** A message body as the conversation will show it (sanitised HTML), for the composer's preview. */
  preview(body: string, format: RenderFormat): string {
    return renderBody(body, format).html;
  }

  /**
   * The same change on many tickets, each in its own transaction: one ticket's refusal (a required field on
   * solve, a closed ticket) does not undo the others, and each reports why.
   */
  async bulk(actor: Actor, body: BulkBody): Promise<{ id: string; ok: boolean; code?: string; detail?: string }[]> {
    const results: { id: string; ok: boolean; code?: string; detail?: string }[] = [];
    for (const id of [...new Set(body.ids)]) {
      try {
        if (body.mergeIntoId) {
          if (id !== body.mergeIntoId) await this.merge(actor, id, body.mergeIntoId);
        } else await this.update(actor, id, body.changes ?? {});
        results.push({ id, ok: true });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, code: err.code, detail: err.message });
      }
    }
    return results;
  }

  async merge(actor: Actor, sourceId: string, targetId: string): Promise<TicketRow> {
    if (sourceId === targetId) throw new AppError('CANNOT_MERGE', 'A ticket cannot be merged into itself');
    return this.ctx.db.transaction(async (tx) => {
      // Lock both in id order so two opposite merges cannot deadlock.
      const [a, b] = [sourceId, targetId].sort() as [string, string];
      const first = await this.queries.getRow(actor, a, tx, true);
      const second = await this.queries.getRow(actor, b, tx, true);
      const source = first.id === sourceId ? first : second;
      const target = first.id === targetId ? first : second;
      for (const t of [source, target]) {
        if (t.statusCategory === 'merged' || t.statusCategory === 'closed') {
          throw new AppError('CANNOT_MERGE', `Ticket #${t.number} is ${t.statusCategory} and cannot take part in a merge`);
        }
      }
      const now = this.ctx.clock.now();
      const [merged] = (await tx
        .update(tickets)
        .set({ status: 'merged', statusCategory: 'merged', mergedIntoId: target.id, version: source.version + 1, updatedAt: now })
        .where(eq(tickets.id, source.id))
        .returning()) as [TicketRow];
      // The source's requester and followers keep hearing about the issue on the target.
      const carried = await tx.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, source.id));
      const newFollowers = [source.requesterId, ...carried.map((c) => c.userId)].filter((u) => u !== target.requesterId);
      if (newFollowers.length) {
        await tx
          .insert(ticketFollowers)
          .values([...new Set(newFollowers)].map((userId) => ({ ticketId: target.id, userId })))
          .onConflictDoNothing();
      }
      const noteId = await this.insertMessage(tx, target, {
        authorId: actor.userId,
        public: false,
        direction: 'internal',
        channel: 'api',
        body: renderBody(`Merged #${source.number} (“${source.subject}”) into this ticket.`, 'markdown'),
        attachmentIds: [],
        uploaderId: actor.userId,
      });
      const [updatedTarget] = (await tx
        .update(tickets)
        .set({ version: target.version + 1, updatedAt: now, searchVector: sql`${tickets.searchVector} || ${source.searchVector}::tsvector` })
        .where(eq(tickets.id, target.id))
        .returning()) as [TicketRow];
      await this.record(tx, actor, merged, [{ kind: 'merged_into', field: 'status', from: source.status, to: { ticketId: target.id, number: target.number } }]);
      await this.record(tx, actor, updatedTarget, [
        { kind: 'merged_from', to: { ticketId: source.id, number: source.number } },
        { kind: 'message_added', to: { messageId: noteId, public: false, author: 'agent', direction: 'internal', channel: 'api' }, public: false },
      ]);
      return updatedTarget;
    });
  }

  async addLink(actor: Actor, id: string, link: { kind: 'related' | 'duplicate_of' | 'caused_by' | 'external'; targetTicketId?: string; url?: string; title?: string }) {
    return this.ctx.db.transaction(async (tx) => {
      const t = await this.queries.getRow(actor, id, tx, true);
      if (link.targetTicketId) {
        if (link.targetTicketId === id) throw new AppError('INVALID_REFERENCE', 'A ticket cannot link to itself');
        const [target] = await tx
          .select({ id: tickets.id })
          .from(tickets)
          .where(and(eq(tickets.id, link.targetTicketId), visibleTo(actor)));
        if (!target) throw new AppError('INVALID_REFERENCE', `No ticket with id ${link.targetTicketId}`, { fields: [{ path: 'body.targetTicketId', message: 'unknown ticket' }] });
      }
      const [row] = (await tx
        .insert(ticketLinks)
        .values({ ticketId: id, kind: link.kind, targetTicketId: link.targetTicketId ?? null, url: link.url ?? null, title: link.title ?? null, createdBy: actor.userId, createdAt: this.ctx.clock.now() })
        .returning()) as [typeof ticketLinks.$inferSelect];
      await this.touch(tx, t);
      await this.record(tx, actor, t, [{ kind: 'link_added', to: { linkId: row.id, kind: row.kind, targetTicketId: row.targetTicketId, url: row.url, title: row.title } }]);
      return row;
    });
  }

  async removeLink(actor: Actor, id: string, linkId: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const t = await this.queries.getRow(actor, id, tx, true);
      const [row] = await tx
        .delete(ticketLinks)
        .where(and(eq(ticketLinks.id, linkId), eq(ticketLinks.ticketId, id)))
        .returning();
      if (!row) throw new AppError('NOT_FOUND', `Ticket #${t.number} has no link ${linkId}`);
      await this.touch(tx, t);
      await this.record(tx, actor, t, [{ kind: 'link_removed', from: { linkId: row.id, kind: row.kind, targetTicketId: row.targetTicketId, url: row.url } }]);
    });
  }

  private async touch(tx: Tx, t: TicketRow): Promise<void> {
    await tx.update(tickets).set({ version: t.version + 1, updatedAt: this.ctx.clock.now() }).where(eq(tickets.id, t.id));
  }

  // ---- attachments

  async upload(actor: Actor, file: { filename: string; contentType: string; data: Buffer }) {
    const hash = await this.ctx.files.put(file.data);
    const [row] = await this.ctx.db
      .insert(attachments)
      .values({
        sha256: hash,
        filename: safeFilename(file.filename),
        contentType: file.contentType.toLowerCase().split(';')[0]?.trim() || 'application/octet-stream',
        size: file.data.length,
        uploadedBy: actor.userId,
        createdAt: this.ctx.clock.now(),
      })
      .returning();
    return row as typeof attachments.$inferSelect;
  }

  // ---- events

  /**
   * Appends a command's events through the one writer (with the version it made and its actor), then runs the
   * stream's subscribers: in-transaction steps, and the jobs they cause, enqueued in the same transaction.
   */
  private async record(tx: Tx, actor: Actor | null, ticket: TicketRow, events: NewEvent[], channel?: Channel): Promise<TicketEvent[]> {
    const rows = await appendEvents(tx, { ticketId: ticket.id, version: ticket.version, actor: eventActor(actor?.userId, channel), at: this.ctx.clock.now(), events });
    await this.events.dispatch(tx, rows, ticket);
    return rows;
  }

  /**
   * The auto-assignment step of a command that put an unassigned ticket into a group: the assigner picks a
   * member and this command records the change (one more version, an `assignee` event by the system), in its
   * own transaction, without running another command.
   */
  private async autoAssign(tx: Tx, ticket: TicketRow, events: readonly { kind: string; field?: string | null }[]): Promise<TicketRow> {
    if (!this.assigner || ticket.assigneeId || !ticket.groupId) return ticket;
    const arrived = events.some((e) => e.kind === 'created' || (e.kind === 'field_changed' && e.field === 'group'));
    if (!arrived || ['solved', 'closed', 'merged'].includes(ticket.statusCategory)) return ticket;
    const userId = await this.assigner(tx, ticket);
    if (!userId) return ticket;
    const [updated] = (await tx
      .update(tickets)
      .set({ assigneeId: userId, version: sql`${tickets.version} + 1`, updatedAt: this.ctx.clock.now() })
      .where(eq(tickets.id, ticket.id))
      .returning()) as [TicketRow];
    await this.record(tx, null, updated, [{ kind: 'field_changed', field: 'assignee', from: null, to: userId }]);
    return updated;
  }
}

type RenderedBody = { text: string; html: string };
type RenderFormat = 'markdown' | 'html' | 'text';

// Customers' messages hold remote images until an agent asks to see them (see platform/html.ts).
function renderBody(body: string, format: RenderFormat, from: 'staff' | 'customer' = 'staff'): RenderedBody {
  const remoteImages = from === 'customer' ? 'hold' : 'show';
  if (format === 'html') {
    const html = sanitize(body, { remoteImages });
    return { html, text: htmlToText(html) };
  }
  if (format === 'text') return { html: textToHtml(body), text: body };
  return { html: markdownToHtml(body, { remoteImages }), text: body };
}

function dropNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined));
}

/** A display name only: no path, no control characters, bounded length. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return clean || 'attachment';
}

