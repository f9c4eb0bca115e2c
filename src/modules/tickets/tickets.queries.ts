import { and, asc, desc, eq, getTableColumns, inArray, isNull, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { rowsOf } from '../../db/client.js';
import { type Actor, isStaff, SYSTEM_ACTOR } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { decodeCursor, encodeCursor } from '../../platform/cursor.js';
import { AppError, isQueryCanceled, notFound } from '../../platform/errors.js';
import { organizations, users } from '../people/people.schema.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketFilter } from './search-query.js';
import { attachments, messages, priorities, STATE_CATEGORIES, ticketEvents, ticketFollowers, ticketLinks, tickets, ticketStates } from './tickets.schema.js';

export type TicketRow = typeof tickets.$inferSelect;
/** A ticket as lists read it: without the search vector. */
export type TicketListRow = Omit<TicketRow, 'searchVector'>;
export type TicketSort = 'created' | 'updated' | 'priority';
export type ListOptions = { sort: TicketSort; order: 'asc' | 'desc'; limit: number; cursor?: string };

const requester = alias(users, 'requester');

/** Who may see a ticket, as SQL: staff see every ticket, except group-restricted agents (see `groupScope`);
 *  customers their own, ones they follow, and their organisation's when it shares tickets. Enforced in every
 *  read, not only in routes. */
export function visibleTo(actor: Actor): SQL | undefined {
  if (isStaff(actor)) return isGroupRestricted(actor) ? groupScope(actor, true) : undefined;
  const own = or(
    eq(tickets.requesterId, actor.userId),
    sql`exists (select 1 from ${ticketFollowers} f where f.ticket_id = ${tickets.id} and f.user_id = ${actor.userId})`,
  );
  if (!actor.organizationId) return own;
  return or(
    own,
    and(
      eq(tickets.organizationId, actor.organizationId),
      actor.organizationSupervisor ? undefined : sql`exists (select 1 from ${organizations} o where o.id = ${actor.organizationId} and o.shared_tickets)`,
    ),
  );
}

/** A light agent or agent whose `ticketAccess` is 'groups' (admins always see every ticket). */
export function isGroupRestricted(actor: Actor): boolean {
  return (actor.role === 'agent' || actor.role === 'light_agent') && actor.ticketAccess === 'groups';
}

/**
 * A group-restricted agent's tickets: those of their groups, assigned to them, or followed by them; and, when
 * `escalated`, those their groups escalated up a tier (which they keep seeing, read-only unless the
 * ESCALATED_TICKETS setting says 'write').
 */
function groupScope(actor: Actor, escalated: boolean): SQL {
  const groupIds = sql.param([...(actor.groupIds ?? [])]);
  return or(
    sql`${tickets.groupId} = any(${groupIds}::uuid[])`,
    escalated ? sql`${tickets.escalatedFromGroupIds} && ${groupIds}::uuid[]` : undefined,
    eq(tickets.assigneeId, actor.userId),
    sql`exists (select 1 from ${ticketFollowers} f where f.ticket_id = ${tickets.id} and f.user_id = ${actor.userId})`,
  ) as SQL;
}

/** Who may change a ticket: whoever sees it, except that an escalated-away ticket is read-only unless configured. */
function changeableBy(actor: Actor, escalatedWritable: boolean): SQL | undefined {
  return isGroupRestricted(actor) && !escalatedWritable ? groupScope(actor, false) : visibleTo(actor);
}

/** What `mayActorSee` needs to know of a ticket: loaded once per live event, then decided for every stream. */
export type TicketVisibilityFacts = {
  requesterId: string;
  organizationId: string | null;
  /** Whether the ticket's organisation shares its tickets among its people. */
  organizationSharesTickets: boolean;
  groupId: string | null;
  escalatedFromGroupIds: readonly string[];
  assigneeId: string | null;
  followerIds: readonly string[];
};

/**
 * `visibleTo` decided in memory: the live stream loads a ticket's facts with one query per event and decides
 * every open stream with this, instead of one query per stream. THE TWO MUST AGREE: change one, change the other
 * (test/security/stream.test.ts runs both over every role × ticket relation, restricted agents included).
 */
export function mayActorSee(actor: Actor, t: TicketVisibilityFacts): boolean {
  if (isStaff(actor)) {
    if (!isGroupRestricted(actor)) return true;
    const groups = actor.groupIds ?? [];
    return (
      (t.groupId !== null && groups.includes(t.groupId)) ||
      t.escalatedFromGroupIds.some((g) => groups.includes(g)) ||
      t.assigneeId === actor.userId ||
      t.followerIds.includes(actor.userId)
    );
  }
  if (t.requesterId === actor.userId || t.followerIds.includes(actor.userId)) return true;
  return actor.organizationId !== null && t.organizationId === actor.organizationId && (t.organizationSharesTickets || actor.organizationSupervisor === true);
}

export class TicketQueries {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
  ) {}

  /**
   * A ticket row the actor may see, or TICKET_NOT_FOUND (never 403: an id you may not see does not exist).
   * `lock` is for commands: the row is locked, and a ticket the actor may only read (one their group escalated
   * away) is TICKET_READ_ONLY.
   */
  async getRow(actor: Actor, id: string, ex: Executor = this.ctx.db, lock = false): Promise<TicketRow> {
    if (!isUuid(id)) throw notFound('ticket', id);
    const restrictedChange = lock && isGroupRestricted(actor) && !this.ctx.config.escalatedTicketsWritable;
    const q = ex
      .select({ t: tickets, changeable: restrictedChange ? sql<boolean>`coalesce(${changeableBy(actor, false)}, false)` : sql<boolean>`true` })
      .from(tickets)
      .where(and(eq(tickets.id, id), visibleTo(actor)));
    const [row] = lock ? await q.for('update') : await q;
    if (!row) throw notFound('ticket', id);
    if (!row.changeable) {
      throw new AppError('TICKET_READ_ONLY', `Ticket #${row.t.number} was escalated away from your group; you can read it but not change it`);
    }
    return row.t;
  }

  /** The ids among `ids` the actor may see (for reads keyed by many ticket ids, such as a page's SLA clocks). */
  async visibleIds(actor: Actor, ids: string[], ex: Executor = this.ctx.db): Promise<string[]> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return [];
    const where = visibleTo(actor);
    if (!where) return valid;
    const rows = await ex
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(inArray(tickets.id, valid), where));
    const seen = new Set(rows.map((r) => r.id));
    return valid.filter((id) => seen.has(id));
  }

  /** Each ticket's type, for the tickets among `ids` (a report that weighs something per ticket by its type). */
  async typesOf(ids: string[], ex: Executor = this.ctx.db): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const valid = ids.filter(isUuid);
    for (let i = 0; i < valid.length; i += 10_000) {
      const rows = await ex.select({ id: tickets.id, type: tickets.type }).from(tickets).where(inArray(tickets.id, valid.slice(i, i + 10_000)));
      for (const r of rows) out.set(r.id, r.type);
    }
    return out;
  }

  async getByNumber(actor: Actor, number: number): Promise<TicketRow> {
    const [row] = await this.ctx.db
      .select()
      .from(tickets)
      .where(and(eq(tickets.number, number), visibleTo(actor)));
    if (!row) throw new AppError('TICKET_NOT_FOUND', `No ticket #${number}`);
    return row;
  }

  /** The full ticket as the API shows it. */
  async detail(actor: Actor, id: string, ex: Executor = this.ctx.db) {
    const row = await this.getRow(actor, id, ex);
    const [view] = await this.views([row], ex);
    const followers = await ex.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, id));
    const links = await this.linksVisibleTo(actor, id, ex);
    return { ...(view as TicketView), followerIds: followers.map((f) => f.userId), links };
  }

  /** The ticket an actor has just changed, as it now is, even if the change took it out of their view. */
  async detailAfterChange(actor: Actor, id: string) {
    try {
      return await this.detail(actor, id);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'TICKET_NOT_FOUND' || !isGroupRestricted(actor)) throw err;
      return this.detail(SYSTEM_ACTOR, id);
    }
  }

  /**
   * The links a caller may see: only ticket links whose target they may see themselves (a customer sees the
   * follow-up of their own closed ticket), and external links — the desk's working notes, internal URLs — only staff.
   */
  async linksVisibleTo(actor: Actor, ticketId: string, ex: Executor = this.ctx.db) {
    const links = (await this.links(ticketId, ex)).filter((l) => isStaff(actor) || l.targetTicketId !== null);
    const targets = links.map((l) => l.targetTicketId).filter((t): t is string => t !== null);
    const where = visibleTo(actor);
    if (!targets.length || !where) return links;
    const visible = new Set((await ex.select({ id: tickets.id }).from(tickets).where(and(inArray(tickets.id, targets), where))).map((r) => r.id));
    return links.filter((l) => l.targetTicketId === null || visible.has(l.targetTicketId));
  }

  async links(ticketId: string, ex: Executor = this.ctx.db) {
    const target = alias(tickets, 'target');
    return ex
      .select({
        id: ticketLinks.id,
        kind: ticketLinks.kind,
        targetTicketId: ticketLinks.targetTicketId,
        targetNumber: target.number,
        url: ticketLinks.url,
        title: ticketLinks.title,
        createdAt: ticketLinks.createdAt,
      })
      .from(ticketLinks)
      .leftJoin(target, eq(target.id, ticketLinks.targetTicketId))
      .where(eq(ticketLinks.ticketId, ticketId))
      .orderBy(asc(ticketLinks.createdAt));
  }

  /** Rows → API views, with requester and priority looked up in one query each. */
  async views(rows: TicketRow[], ex: Executor = this.ctx.db): Promise<TicketView[]> {
    if (!rows.length) return [];
    const requesterIds = [...new Set(rows.map((r) => r.requesterId))];
    const people = await ex.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, requesterIds));
    const prios = await ex.select().from(priorities).where(inArray(priorities.id, [...new Set(rows.map((r) => r.priorityId))]));
    const byId = new Map(people.map((p) => [p.id, p]));
    const prioById = new Map(prios.map((p) => [p.id, p]));
    return rows.map((r) => ticketView(r, byId.get(r.requesterId), prioById.get(r.priorityId)));
  }

  /** Tickets matching a filter, keyset-paginated. Merged tickets are left out unless asked for by status. */
  async list(actor: Actor, filter: TicketFilter, options: ListOptions, extra?: SQL): Promise<{ items: TicketView[]; nextCursor: string | null; approximate?: boolean }> {
    const where = await this.conditions(actor, filter);
    if (extra) where.push(extra);
    const { keyset } = sortOf(options, false);
    if (options.cursor) where.push(keyset(decodeCursor(options.cursor, options.sort === 'priority' ? ['int', 'time', 'uuid'] : ['time', 'uuid'])));
    const page = (ex: Executor, matchesFirst: boolean) =>
      ex
        .select({ t: listColumns, requester: { id: requester.id, name: requester.name, email: requester.email }, p: priorities })
        .from(tickets)
        .innerJoin(requester, eq(requester.id, tickets.requesterId))
        .innerJoin(priorities, eq(priorities.id, tickets.priorityId))
        .where(and(...where))
        .orderBy(...sortOf(options, matchesFirst).order)
        .limit(options.limit + 1);
    const rows = filter.text ? await this.textSearch(page) : await page(this.ctx.db, false);
    if (filter.text && !options.cursor && rows.length === 0) {
      const similar = await this.similarSubjects(actor, filter, options.limit);
      if (similar.length) return { items: similar.map((r) => ticketView(r.t, r.requester, r.p)), nextCursor: null, approximate: true };
    }
    const pageRows = rows.slice(0, options.limit);
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map((r) => ticketView(r.t, r.requester, r.p)),
      nextCursor: rows.length > options.limit && last ? encodeCursor(cursorValues(options.sort, last.t)) : null,
    };
  }

  /**
   * How many tickets the actor may see match each condition (merged ones left out), counting at most `cap` + 1:
   * a left-rail count past ten thousand says "10k+" and costs a bounded index walk, not a scan of a million rows.
   * One query each, so each can use the index that fits it.
   */
  async countEach(actor: Actor, conditions: SQL[], cap: number): Promise<number[]> {
    const counts: number[] = [];
    for (const c of conditions) {
      const matching = this.ctx.db
        .select({ one: sql`1` })
        .from(tickets)
        .where(and(visibleTo(actor), sql`${tickets.statusCategory} <> 'merged'`, c))
        .limit(cap + 1);
      const [row] = rowsOf<{ n: number }>(await this.ctx.db.execute(sql`select count(*)::int as n from (${matching}) m`));
      counts.push(Number(row?.n ?? 0));
    }
    return counts;
  }

  /**
   * How many unsolved tickets the actor may see match `condition`, for the rule builder's "matches N open tickets
   * now": at most `cap` (then `capped`), and on a server within `budgetMs` (then `timedOut`, no count). PGlite runs
   * in this process and cannot cancel a statement, so there the cap is the only bound.
   */
  async countOpenMatching(actor: Actor, condition: SQL, cap: number, budgetMs: number): Promise<{ count: number | null; capped: boolean; timedOut: boolean }> {
    const count = async (ex: Executor) => {
      const matching = ex
        .select({ one: sql`1` })
        .from(tickets)
        .where(and(visibleTo(actor), sql`${tickets.statusCategory} in ('new', 'open', 'pending', 'on_hold')`, condition))
        .limit(cap + 1);
      const [row] = rowsOf<{ n: number }>(await ex.execute(sql`select count(*)::int as n from (${matching}) m`));
      const n = Number(row?.n ?? 0);
      return { count: Math.min(n, cap), capped: n > cap, timedOut: false };
    };
    if (this.ctx.database.kind !== 'postgres') return count(this.ctx.db);
    try {
      return await this.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`set local statement_timeout = ${sql.raw(String(Math.max(1, Math.floor(budgetMs))))}`);
        return count(tx);
      });
    } catch (err) {
      if (!isQueryCanceled(err)) throw err;
      return { count: null, capped: false, timedOut: true };
    }
  }

  /**
   * Full text with an ordered page has two good plans: walk the sort index and test each ticket (fast when
   * matches are common), or collect every match from the GIN index and sort them (fast when they are rare).
   * Postgres guesses, and with correlated filters (`priority:P1 login`) it can guess a walk over a million rows.
   * So on a server we give the walk a short budget and fall back to matches-first when it runs out.
   */
  /**
   * Tags for the search box's `tag:` suggestions: those on the 5,000 most recently updated tickets the actor sees,
   * starting with `prefix`, most used first (a bounded walk of the updated index, not a scan of every ticket).
   */
  async recentTags(actor: Actor, prefix: string, limit = 20): Promise<string[]> {
    const recent = this.ctx.db
      .select({ tags: tickets.tags })
      .from(tickets)
      .where(visibleTo(actor))
      .orderBy(desc(tickets.updatedAt), desc(tickets.id))
      .limit(5000);
    const rows = rowsOf<{ tag: string }>(
      await this.ctx.db.execute(sql`
        select tag from (${recent}) r, unnest(r.tags) tag
        where starts_with(tag, ${prefix.toLowerCase()})
        group by tag order by count(*) desc, tag limit ${limit}`),
    );
    return rows.map((r) => r.tag);
  }

  /**
   * Typo tolerance: when a search's words match no ticket, the tickets (same filters) whose subject has words
   * like them by trigram similarity ("synk" finds "sync"), closest first, one page, marked `approximate`.
   */
  private async similarSubjects(actor: Actor, filter: TicketFilter, limit: number) {
    const words = (filter.text ?? '')
      .replace(/["()]/g, ' ')
      .split(/\s+/)
      .filter((w) => w && !w.startsWith('-') && w.toLowerCase() !== 'or')
      .join(' ');
    if (words.length < 3) return [];
    const where = await this.conditions(actor, { ...filter, text: undefined });
    return this.ctx.db.transaction(async (tx) => {
      // 0.4 rather than the default 0.6: one wrong letter in a short word ("synk") is about 0.43.
      await tx.execute(sql`select set_config('pg_trgm.word_similarity_threshold', '0.4', true)`);
      return tx
        .select({ t: listColumns, requester: { id: requester.id, name: requester.name, email: requester.email }, p: priorities })
        .from(tickets)
        .innerJoin(requester, eq(requester.id, tickets.requesterId))
        .innerJoin(priorities, eq(priorities.id, tickets.priorityId))
        .where(and(...where, sql`${words} <% ${tickets.subject}`))
        .orderBy(sql`word_similarity(${words}, ${tickets.subject}) desc`, desc(tickets.updatedAt))
        .limit(limit);
    });
  }

  private async textSearch<T>(page: (ex: Executor, matchesFirst: boolean) => Promise<T[]>): Promise<T[]> {
    if (this.ctx.database.kind !== 'postgres') return page(this.ctx.db, false);
    try {
      return await this.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`set local statement_timeout = ${sql.raw(String(WALK_BUDGET_MS))}`);
        return page(tx, false);
      });
    } catch (err) {
      if (!isQueryCanceled(err)) throw err;
      return page(this.ctx.db, true);
    }
  }

  private async conditions(actor: Actor, f: TicketFilter): Promise<(SQL | undefined)[]> {
    const where: (SQL | undefined)[] = [visibleTo(actor)];
    if (f.status?.length) {
      const categories = f.status.filter((s) => (STATE_CATEGORIES as readonly string[]).includes(s));
      const keys = f.status.filter((s) => !categories.includes(s));
      if (keys.length) {
        const known = await this.ctx.db.select({ key: ticketStates.key }).from(ticketStates).where(inArray(ticketStates.key, keys));
        const unknown = keys.filter((k) => !known.some((s) => s.key === k));
        if (unknown.length) throw new AppError('INVALID_QUERY', `Unknown status ${unknown.join(', ')}`);
      }
      where.push(
        or(
          categories.length ? inArray(tickets.statusCategory, categories as (typeof STATE_CATEGORIES)[number][]) : undefined,
          keys.length ? inArray(tickets.status, keys) : undefined,
        ),
      );
    } else if (f.number === undefined) {
      where.push(sql`${tickets.statusCategory} <> 'merged'`);
    }
    if (f.priority?.length) {
      const ids = await this.ctx.db.select({ id: priorities.id }).from(priorities).where(inArray(priorities.key, f.priority));
      if (!ids.length) throw new AppError('INVALID_QUERY', `Unknown priority ${f.priority.join(', ')}`);
      where.push(inArray(tickets.priorityId, ids.map((i) => i.id)));
    }
    if (f.assignee) {
      const a = f.assignee.toLowerCase();
      if (a === 'none') where.push(isNull(tickets.assigneeId));
      else if (a === 'me') where.push(eq(tickets.assigneeId, actor.userId));
      else where.push(matching(tickets.assigneeId, await this.userId(f.assignee)));
    }
    // An unknown person, group or organisation matches no ticket, like a known one with none: a filter must not
    // tell a caller which accounts, groups or customers exist.
    if (f.requester) where.push(matching(tickets.requesterId, await this.userId(f.requester)));
    if (f.group) {
      if (f.group.toLowerCase() === 'none') where.push(isNull(tickets.groupId));
      else where.push(matching(tickets.groupId, isUuid(f.group) ? f.group : (await this.people.findGroupByName(f.group))?.id));
    }
    if (f.org) {
      const ids = isUuid(f.org) ? [f.org] : await this.people.findOrganizationIdsMatching(f.org);
      where.push(ids.length ? inArray(tickets.organizationId, ids) : sql`false`);
    }
    if (f.tag?.length) where.push(sql`${tickets.tags} @> ${sql.param(f.tag.map((t) => t.toLowerCase()))}::text[]`);
    if (f.type?.length) where.push(inArray(tickets.type, f.type));
    if (f.channel?.length) where.push(sql`${tickets.channel} = any(${sql.param(f.channel)}::text[])`);
    if (f.number !== undefined) where.push(eq(tickets.number, f.number));
    if (f.text) where.push(sql`${tickets.searchVector} @@ websearch_to_tsquery('english', ${f.text})`);
    return where;
  }

  private async userId(ref: string): Promise<string | undefined> {
    if (isUuid(ref)) return ref;
    return (await this.people.findUserByEmail(ref))?.id;
  }

  /** The ids whose conversation shows on a ticket: itself and every ticket merged into it, transitively. */
  async conversationIds(ticketId: string, ex: Executor = this.ctx.db): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await ex.execute(sql`
        with recursive merged(id) as (
          select ${ticketId}::uuid
          union select t.id from ${tickets} t join merged m on t.merged_into_id = m.id)
        select id from merged`),
    );
    return rows.map((r) => r.id);
  }

  async messages(actor: Actor, ticketId: string) {
    await this.getRow(actor, ticketId);
    const ids = await this.conversationIds(ticketId);
    const rows = await this.ctx.db
      .select({
        id: messages.id,
        ticketId: messages.ticketId,
        public: messages.public,
        direction: messages.direction,
        channel: messages.channel,
        bodyText: messages.bodyText,
        bodyHtml: messages.bodyHtml,
        senderUnverified: messages.senderUnverified,
        createdAt: messages.createdAt,
        author: { id: users.id, name: users.name, role: users.role },
      })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(and(inArray(messages.ticketId, ids), isStaff(actor) ? undefined : eq(messages.public, true)))
      .orderBy(asc(messages.createdAt), asc(messages.id));
    const files = rows.length
      ? await this.ctx.db
          .select({ id: attachments.id, messageId: attachments.messageId, filename: attachments.filename, contentType: attachments.contentType, size: attachments.size })
          .from(attachments)
          .where(inArray(attachments.messageId, rows.map((r) => r.id)))
      : [];
    return rows.map((m) => ({ ...m, attachments: files.filter((f) => f.messageId === m.id).map(({ messageId: _, ...f }) => f) }));
  }

  async events(actor: Actor, ticketId: string, afterId = 0) {
    await this.getRow(actor, ticketId);
    return this.ctx.db
      .select()
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, ticketId), sql`${ticketEvents.id} > ${afterId}`, isStaff(actor) ? undefined : eq(ticketEvents.public, true)))
      .orderBy(asc(ticketEvents.id))
      .limit(1000);
  }

  /** Events after `afterId` on every ticket the actor may see, oldest first (a reconnecting stream's catch-up). */
  visibleEventsAfter(actor: Actor, afterId: number, limit = 1000) {
    return this.streamEvents(actor, sql`${ticketEvents.id} > ${afterId}`, limit);
  }

  /** Events by id, kept to those the actor may see (for the live stream). */
  async visibleEvents(actor: Actor, eventIds: number[]) {
    if (!eventIds.length) return [];
    return this.streamEvents(actor, inArray(ticketEvents.id, eventIds), eventIds.length);
  }

  /**
   * Events by id, each with its ticket's visibility facts: one query for every live stream of the process, which
   * then decide in memory (`mayActorSee`, and internal events for staff only).
   */
  async eventsWithFacts(eventIds: number[]) {
    if (!eventIds.length) return [];
    const rows = await this.ctx.db
      .select({
        e: ticketEvents,
        number: tickets.number,
        requesterId: tickets.requesterId,
        organizationId: tickets.organizationId,
        organizationSharesTickets: sql<boolean>`coalesce(${organizations.sharedTickets}, false)`,
        groupId: tickets.groupId,
        escalatedFromGroupIds: tickets.escalatedFromGroupIds,
        assigneeId: tickets.assigneeId,
        followerIds: sql<string[]>`array(select f.user_id::text from ${ticketFollowers} f where f.ticket_id = ${tickets.id})`,
      })
      .from(ticketEvents)
      .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
      .leftJoin(organizations, eq(organizations.id, tickets.organizationId))
      .where(inArray(ticketEvents.id, eventIds))
      .orderBy(asc(ticketEvents.id));
    return rows.map(({ e, number, ...facts }) => ({ event: { ...e, ticketNumber: number }, facts: facts as TicketVisibilityFacts }));
  }

  /** A ticket's visibility facts, for deciding many live streams in memory (`canSee`); undefined if it is gone. */
  async visibilityFacts(ticketId: string): Promise<TicketVisibilityFacts | undefined> {
    const [row] = await this.ctx.db
      .select({
        requesterId: tickets.requesterId,
        organizationId: tickets.organizationId,
        organizationSharesTickets: sql<boolean>`coalesce(${organizations.sharedTickets}, false)`,
        groupId: tickets.groupId,
        escalatedFromGroupIds: tickets.escalatedFromGroupIds,
        assigneeId: tickets.assigneeId,
        followerIds: sql<string[]>`array(select f.user_id::text from ${ticketFollowers} f where f.ticket_id = ${tickets.id})`,
      })
      .from(tickets)
      .leftJoin(organizations, eq(organizations.id, tickets.organizationId))
      .where(eq(tickets.id, ticketId));
    return row;
  }

  /** `mayActorSee`, for other modules' live streams (boards). */
  canSee(actor: Actor, facts: TicketVisibilityFacts): boolean {
    return mayActorSee(actor, facts);
  }

  private streamEvents(actor: Actor, which: SQL, limit: number) {
    return this.ctx.db
      .select({ e: ticketEvents, number: tickets.number })
      .from(ticketEvents)
      .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
      .where(and(which, visibleTo(actor), isStaff(actor) ? undefined : eq(ticketEvents.public, true)))
      .orderBy(asc(ticketEvents.id))
      .limit(limit)
      .then((rows) => rows.map((r) => ({ ...r.e, ticketNumber: r.number })));
  }

  /** An attachment the actor may download: their own upload, or one on a message they can see. */
  /**
   * Merging two people (channels/merge-people.ts): the duplicate's tickets (as requester), messages (as author) and
   * follows become the survivor's, in the caller's transaction. A ticket both followed keeps one follow.
   */
  async movePerson(fromUserId: string, toUserId: string, ex: Executor): Promise<{ tickets: number; messages: number; follows: number }> {
    const moved = await ex.update(tickets).set({ requesterId: toUserId }).where(eq(tickets.requesterId, fromUserId)).returning({ id: tickets.id });
    const authored = await ex.update(messages).set({ authorId: toUserId }).where(eq(messages.authorId, fromUserId)).returning({ id: messages.id });
    const follows = rowsOf<{ ticket_id: string }>(
      await ex.execute(sql`insert into ${ticketFollowers} (ticket_id, user_id) select ticket_id, ${toUserId}::uuid from ${ticketFollowers} where user_id = ${fromUserId}::uuid
        on conflict do nothing returning ticket_id`),
    );
    await ex.delete(ticketFollowers).where(eq(ticketFollowers.userId, fromUserId));
    return { tickets: moved.length, messages: authored.length, follows: follows.length };
  }

  async attachment(actor: Actor, id: string) {
    if (!isUuid(id)) throw notFound('attachment', id);
    const [row] = await this.ctx.db
      .select({ a: attachments, ticketId: messages.ticketId, public: messages.public })
      .from(attachments)
      .leftJoin(messages, eq(messages.id, attachments.messageId))
      .where(eq(attachments.id, id));
    if (!row) throw notFound('attachment', id);
    if (row.a.uploadedBy === actor.userId) return row.a;
    if (!row.ticketId) throw notFound('attachment', id);
    if (!isStaff(actor) && !row.public) throw notFound('attachment', id);
    const ticketIds = rowsOf<{ id: string }>(
      await this.ctx.db.execute(sql`
        with recursive up(id, merged_into_id) as (
          select id, merged_into_id from ${tickets} where id = ${row.ticketId}
          union select t.id, t.merged_into_id from ${tickets} t join up on t.id = up.merged_into_id)
        select id from up`),
    );
    const visible = await this.ctx.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(inArray(tickets.id, ticketIds.map((t) => t.id)), visibleTo(actor)))
      .limit(1);
    if (!visible.length) throw notFound('attachment', id);
    return row.a;
  }
}

export type TicketView = ReturnType<typeof ticketView>;

export function ticketView(
  t: TicketListRow,
  req: { id: string; name: string; email: string } | undefined,
  p: typeof priorities.$inferSelect | undefined,
) {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    statusCategory: t.statusCategory,
    priority: p ? { key: p.key, name: p.name, rank: p.rank, color: p.color } : null,
    type: t.type,
    requester: req ? { id: req.id, name: req.name, email: req.email } : { id: t.requesterId, name: '', email: '' },
    organizationId: t.organizationId,
    assigneeId: t.assigneeId,
    groupId: t.groupId,
    channel: t.channel,
    tags: t.tags,
    productArea: t.productArea,
    dueAt: t.dueAt,
    customFields: t.customFields,
    mergedIntoId: t.mergedIntoId,
    followUpOfId: t.followUpOfId,
    version: t.version,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    solvedAt: t.solvedAt,
    closedAt: t.closedAt,
  };
}

/** `column = id`, or no ticket at all when the filter named someone or something that does not exist. */
function matching(column: SQLWrapper, id: string | undefined): SQL {
  return id ? sql`${column} = ${id}` : sql`false`;
}

// How long the index walk of a text search may take before the matches-first plan is used instead.
const WALK_BUDGET_MS = 40;

// Every ticket column but the search vector, which lists never need and which is the widest.
const { searchVector: _searchVector, ...listColumns } = getTableColumns(tickets);

/**
 * Order and keyset condition of a sort. `matchesFirst` orders by expressions no index provides, which makes
 * Postgres collect the matching tickets first and sort them (see `textSearch`).
 */
function sortOf(o: ListOptions, matchesFirst: boolean): { order: SQL[]; keyset: (values: unknown[]) => SQL } {
  const noIndex = (col: SQLWrapper) => (matchesFirst ? sql`${col} + interval '0 seconds'` : sql`${col}`);
  if (o.sort === 'priority') {
    // "By priority then age": most urgent first, oldest first within a priority.
    return {
      order: matchesFirst ? [sql`${tickets.priorityRank} + 0`, noIndex(tickets.createdAt), asc(tickets.id)] : [asc(tickets.priorityRank), asc(tickets.createdAt), asc(tickets.id)],
      keyset: ([rank, at, id]) => sql`(${tickets.priorityRank}, ${tickets.createdAt}, ${tickets.id}) > (${Number(rank)}, ${String(at)}::timestamptz, ${String(id)}::uuid)`,
    };
  }
  const col = o.sort === 'updated' ? tickets.updatedAt : tickets.createdAt;
  const dir = o.order === 'asc' ? asc : desc;
  const cmp = o.order === 'asc' ? sql`>` : sql`<`;
  return {
    order: [dir(noIndex(col)), dir(tickets.id)],
    keyset: ([at, id]) => sql`(${col}, ${tickets.id}) ${cmp} (${String(at)}::timestamptz, ${String(id)}::uuid)`,
  };
}

function cursorValues(sort: TicketSort, t: TicketListRow): (string | number)[] {
  if (sort === 'priority') return [t.priorityRank, t.createdAt.toISOString(), t.id];
  return [(sort === 'updated' ? t.updatedAt : t.createdAt).toISOString(), t.id];
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
