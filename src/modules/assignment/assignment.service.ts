import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { activeAgentIds, namesAndEmails, staffWithGroups } from '../people/members.queries.js';
import type { PeopleService } from '../people/people.service.js';
import { leastLoaded } from '../tickets/workload.queries.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { AutoAssigner } from '../tickets/tickets.service.js';
import { ASSIGNMENT_MODES, agentAway, groupAssignment, handoverNotes, triageRota } from './assignment.schema.js';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
export const AssignmentBody = z.object({ mode: z.enum(ASSIGNMENT_MODES), timeZone: z.string().max(100).default('UTC') });
export const RotaBody = z.object({ entries: z.array(z.object({ day: Day, userId: z.uuid() })).min(1).max(366) });
export const SwapBody = z.object({ dayA: Day, dayB: Day });
export const HandoverBody = z.object({ body: z.string().trim().min(1).max(20_000) });
/** Why someone cannot take a ticket, as the picker says it. */
export const UNAVAILABLE_REASONS = ['not_in_group', 'deactivated', 'light_agent'] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];
export type AssigneeCandidate = {
  userId: string;
  name: string;
  email: string;
  available: boolean;
  inGroup: boolean;
  /** Marked away (auto-assignment passes them over; a person may still pick them). */
  away: boolean;
  reason: UnavailableReason | null;
  why: string | null;
};
export const AwayBody = z.object({ away: z.boolean(), until: z.iso.datetime({ offset: true }).nullable().default(null) });

/** An admin acting with all of an admin's powers: signed in, or through a token that carries the admin scope. */
const isFullAdmin = (actor: Actor) => actor.role === 'admin' && (actor.scopes === null || actor.scopes.includes('admin'));

/**
 * Who gets a group's new tickets: nobody (manual), today's triage agent from the rota, the next available member
 * in turn (round robin), or the available member with the fewest open tickets. Members who marked themselves
 * away are passed over. Assignment happens in the transaction that created (or moved) the ticket, as a step of that command.
 */
export class AssignmentService {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
    private readonly queries: TicketQueries,
  ) {}

  /**
   * Who may take a ticket the actor sees, for the assignee picker: the ticket group's active agents first, then
   * (ticket without a group) every other active agent, then everyone who cannot, each with the reason in words —
   * the same rules the ticket commands enforce (`checkAssignee`), so the picker never offers what would be refused.
   */
  async candidates(actor: Actor, ticketId: string): Promise<{ group: { id: string; name: string } | null; items: AssigneeCandidate[] }> {
    const ticket = await this.queries.getRow(actor, ticketId);
    const group = ticket.groupId ? await this.people.getGroup(ticket.groupId) : null;
    const now = this.ctx.clock.now();
    const [staff, away] = await Promise.all([
      staffWithGroups(this.ctx.db),
      this.ctx.db.select({ userId: agentAway.userId, until: agentAway.until }).from(agentAway),
    ]);
    const awayIds = new Set(away.filter((a) => a.until === null || a.until > now).map((a) => a.userId));
    const items = staff.map((u): AssigneeCandidate => {
      const inGroup = group ? u.groupIds.includes(group.id) : false;
      const reason: UnavailableReason | null = !u.active ? 'deactivated' : u.role === 'light_agent' ? 'light_agent' : group && !inGroup ? 'not_in_group' : null;
      const why =
        reason === 'deactivated'
          ? 'Deactivated'
          : reason === 'light_agent'
            ? 'Light agent: adds internal notes, cannot own tickets'
            : reason === 'not_in_group'
              ? `Not in ${group?.name}`
              : null;
      return { userId: u.id, name: u.name, email: u.email, available: reason === null, inGroup, away: awayIds.has(u.id), reason, why };
    });
    const rank = (c: AssigneeCandidate) => (c.available ? (c.inGroup ? 0 : 1) : 2 + UNAVAILABLE_REASONS.indexOf(c.reason as UnavailableReason));
    items.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    return { group: group ? { id: group.id, name: group.name } : null, items };
  }

  async settings(groupId: string, ex: Executor = this.ctx.db) {
    await this.people.getGroup(groupId, ex);
    const [row] = await ex.select().from(groupAssignment).where(eq(groupAssignment.groupId, groupId));
    return row ?? { groupId, mode: 'manual' as const, timeZone: 'UTC', lastUserId: null };
  }

  async setSettings(groupId: string, input: z.infer<typeof AssignmentBody>) {
    await this.people.getGroup(groupId);
    if (!IANAZone.isValidZone(input.timeZone)) {
      throw new AppError('VALIDATION_FAILED', `Unknown time zone ${input.timeZone}`, { fields: [{ path: 'body.timeZone', message: 'expected an IANA zone like Europe/London' }] });
    }
    await this.ctx.db
      .insert(groupAssignment)
      .values({ groupId, ...input })
      .onConflictDoUpdate({ target: groupAssignment.groupId, set: input });
    return this.settings(groupId);
  }

  // ---- the rota

  async rota(groupId: string, from: string, to: string) {
    await this.people.getGroup(groupId);
    const days = await this.ctx.db
      .select({ day: triageRota.day, userId: triageRota.userId })
      .from(triageRota)
      .where(and(eq(triageRota.groupId, groupId), sql`${triageRota.day} between ${from}::date and ${to}::date`))
      .orderBy(asc(triageRota.day));
    const names = new Map((await namesAndEmails(this.ctx.db, [...new Set(days.map((d) => d.userId))])).map((u) => [u.id, u.name]));
    return days.filter((d) => names.has(d.userId)).map((d) => ({ ...d, name: names.get(d.userId) as string }));
  }

  async setRota(actor: Actor, groupId: string, entries: { day: string; userId: string }[]) {
    await this.people.getGroup(groupId);
    const members = new Set(await this.people.memberIds(groupId));
    const strangers = entries.filter((e) => !members.has(e.userId));
    if (strangers.length) {
      throw new AppError('INVALID_REFERENCE', 'Only members of the group can be on its rota', {
        fields: strangers.map((s) => ({ path: `body.entries.${entries.indexOf(s)}.userId`, message: 'not a member of this group' })),
      });
    }
    await this.ctx.db.transaction(async (tx) => {
      const held = await tx
        .select()
        .from(triageRota)
        .where(and(eq(triageRota.groupId, groupId), inArray(triageRota.day, [...new Set(entries.map((e) => e.day))])))
        .for('update');
      await this.mayChangeDays(actor, groupId, held, tx);
      await tx
        .insert(triageRota)
        .values(entries.map((e) => ({ groupId, ...e })))
        .onConflictDoUpdate({ target: [triageRota.groupId, triageRota.day], set: { userId: sql`excluded.user_id` } });
    });
  }

  /** Two days exchange their triage agents (a swap between colleagues). */
  async swap(actor: Actor, groupId: string, dayA: string, dayB: string) {
    await this.ctx.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(triageRota)
        .where(and(eq(triageRota.groupId, groupId), inArray(triageRota.day, [dayA, dayB])))
        .for('update');
      const a = rows.find((r) => r.day === dayA);
      const b = rows.find((r) => r.day === dayB);
      if (!a || !b) throw new AppError('NOT_FOUND', `Both days need someone on the rota to swap (${!a ? dayA : dayB} has nobody)`);
      await this.mayChangeDays(actor, groupId, rows, tx);
      await tx.update(triageRota).set({ userId: b.userId }).where(and(eq(triageRota.groupId, groupId), eq(triageRota.day, dayA)));
      await tx.update(triageRota).set({ userId: a.userId }).where(and(eq(triageRota.groupId, groupId), eq(triageRota.day, dayB)));
    });
  }

  /**
   * Today's and past rota days are settled: being today's triager is what lets someone write the hand-over note,
   * so a colleague must not be able to make the day theirs, write a note in its holder's place and put the holder
   * back. Future days stay open to the whole group (plans change). For today and earlier, only an admin (signed in, or
   * a token with the admin scope) or the day's own holder (giving it away, or swapping it) may change a day that
   * someone holds; an empty day can be taken.
   */
  private async mayChangeDays(actor: Actor, groupId: string, held: (typeof triageRota.$inferSelect)[], tx: Tx) {
    if (isFullAdmin(actor)) return;
    const today = await this.today(groupId, tx);
    const settled = held.find((r) => r.day <= today && r.userId !== actor.userId);
    if (!settled) return;
    const [who] = await namesAndEmails(tx, [settled.userId]);
    throw new AppError(
      'ROTA_DAY_SETTLED',
      `${settled.day} is ${settled.day === today ? 'today' : 'past'} and ${who?.name ?? 'someone else'} holds it: only they or an admin can change it`,
    );
  }

  /** Today, in the group's zone. */
  async today(groupId: string, ex: Executor = this.ctx.db): Promise<string> {
    const s = await this.settings(groupId, ex);
    return DateTime.fromJSDate(this.ctx.clock.now(), { zone: s.timeZone }).toISODate() as string;
  }

  // ---- hand-over notes

  /**
   * A note from today's triage to the next: written by today's triager of the group (in the group's zone) or an
   * admin, nobody else (NOT_TODAYS_TRIAGER) — the next triager reads it as the hand-over, so it must come from
   * whoever held the day.
   */
  async addHandover(actor: Actor, groupId: string, body: string) {
    return this.ctx.db.transaction(async (tx) => {
      const day = await this.today(groupId, tx);
      if (!isFullAdmin(actor)) {
        const [onDuty] = await tx.select({ userId: triageRota.userId }).from(triageRota).where(and(eq(triageRota.groupId, groupId), eq(triageRota.day, day)));
        if (onDuty?.userId !== actor.userId) {
          const [who] = onDuty ? await namesAndEmails(tx, [onDuty.userId]) : [];
          throw new AppError(
            'NOT_TODAYS_TRIAGER',
            who
              ? `Only today's triager (${who.name}, ${day}) or an admin writes this group's hand-over notes`
              : `Nobody is on this group's rota today (${day}): only an admin can write its hand-over notes`,
          );
        }
      }
      const [row] = await tx.insert(handoverNotes).values({ groupId, day, authorId: actor.userId, body, createdAt: this.ctx.clock.now() }).returning();
      return row as typeof handoverNotes.$inferSelect;
    });
  }

  /** The notes of the last day that has any, up to today: what the previous triage handed over. */
  async latestHandover(groupId: string) {
    const today = await this.today(groupId);
    const [last] = await this.ctx.db
      .select({ day: handoverNotes.day })
      .from(handoverNotes)
      .where(and(eq(handoverNotes.groupId, groupId), sql`${handoverNotes.day} <= ${today}::date`))
      .orderBy(sql`${handoverNotes.day} desc`)
      .limit(1);
    if (!last) return { day: null, notes: [] };
    const notes = await this.ctx.db
      .select()
      .from(handoverNotes)
      .where(and(eq(handoverNotes.groupId, groupId), eq(handoverNotes.day, last.day)))
      .orderBy(asc(handoverNotes.createdAt));
    return { day: last.day, notes };
  }

  // ---- away

  async setAway(actor: Actor, input: z.infer<typeof AwayBody>) {
    if (!input.away) {
      await this.ctx.db.delete(agentAway).where(eq(agentAway.userId, actor.userId));
      return { away: false, until: null };
    }
    const until = input.until ? new Date(input.until) : null;
    await this.ctx.db.insert(agentAway).values({ userId: actor.userId, until }).onConflictDoUpdate({ target: agentAway.userId, set: { until } });
    return { away: true, until: until?.toISOString() ?? null };
  }

  // ---- assigning

  /**
   * The auto-assignment step the ticket commands run when an unassigned ticket arrives in a group: it only picks
   * (and advances the group's rotation); the command records the assignment itself, so no ticket command runs
   * inside another's transaction.
   */
  assigner(): AutoAssigner {
    return (tx, ticket) => (ticket.groupId ? this.pick(tx, ticket.groupId) : Promise.resolve(null));
  }

  private async pick(tx: Tx, groupId: string): Promise<string | null> {
    const [settings] = await tx.select().from(groupAssignment).where(eq(groupAssignment.groupId, groupId));
    if (!settings || settings.mode === 'manual') return null;
    const now = this.ctx.clock.now();
    // Away with no end, or until a time still ahead, is away.
    const ids = await activeAgentIds(
      tx,
      groupId,
      (userId) => sql`not exists (select 1 from ${agentAway} a where a.user_id = ${userId} and (a.until is null or a.until > ${now.toISOString()}::timestamptz))`,
    );
    if (ids.length === 0) return null;
    if (settings.mode === 'triage') {
      const day = DateTime.fromJSDate(now, { zone: settings.timeZone }).toISODate() as string;
      const [onDuty] = await tx.select({ userId: triageRota.userId }).from(triageRota).where(and(eq(triageRota.groupId, groupId), eq(triageRota.day, day)));
      return onDuty && ids.includes(onDuty.userId) ? onDuty.userId : null;
    }
    if (settings.mode === 'round_robin') {
      // The group's row is the lock that makes two new tickets at once go to two people.
      const [locked] = await tx.select({ last: groupAssignment.lastUserId }).from(groupAssignment).where(eq(groupAssignment.groupId, groupId)).for('update');
      const next = ids.find((id) => locked?.last && id > locked.last) ?? (ids[0] as string);
      await tx.update(groupAssignment).set({ lastUserId: next }).where(eq(groupAssignment.groupId, groupId));
      return next;
    }
    return leastLoaded(tx, ids);
  }
}

