import { and, asc, eq, gte, inArray, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { boardColumns, boards, type ColumnRole, cards, planningGoals, timePeople } from './boards.schema.js';

const Day = z.iso.date();
export const GoalBody = z.object({ organizationId: z.uuid(), week: Day, goal: z.string().trim().max(500) });
/** Hours a week someone has for planned work when they never said (Time → Settings). */
export const DEFAULT_WEEKLY_HOURS = 30;

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
function mustBeMonday(week: string, path: string): void {
  if (new Date(`${week}T00:00:00Z`).getUTCDay() !== 1) throw new AppError('INVALID_FIELD_VALUE', `A week is named by its Monday; ${week} is not one`, { fields: [{ path, message: 'not a Monday' }] });
}

type Brief = { id: string; boardId: string; title: string; ticketNumber: number | null; role: ColumnRole | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number };

/**
 * The weekly planning view (Made Tech's Thursday): per customer, what is up next, the week's commitment (cards
 * scheduled into the week) with its goal, and the cards completed the week before (the showcase); per person, the
 * hours the week's cards ask of them against the hours they have. A pair's card counts its whole estimate against
 * each of the two: they work it together.
 */
export class PlanningService {
  constructor(
    private readonly ctx: Ctx,
    private readonly ticketQueries: TicketQueries,
    private readonly people: PeopleService,
  ) {}

  async week(actor: Actor, week: string) {
    mustBeMonday(week, 'querystring.week');
    const previous = addDays(week, -7);
    const customerBoards = await this.ctx.db.select().from(boards).where(eq(boards.kind, 'customer')).orderBy(asc(boards.name));
    // One query: every open card up next or scheduled into the week, and every card completed the week before.
    const rows = await this.ctx.db
      .select({ c: cards, role: boardColumns.role })
      .from(cards)
      .innerJoin(boardColumns, eq(boardColumns.id, cards.columnId))
      .where(
        or(
          and(isNull(cards.archivedAt), or(eq(boardColumns.role, 'up_next'), eq(cards.week, week))),
          and(gte(cards.completedAt, new Date(`${previous}T00:00:00Z`)), lt(cards.completedAt, new Date(`${week}T00:00:00Z`))),
        ),
      )
      .orderBy(asc(cards.epicsPosition));
    const ticketIds = rows.map((r) => r.c.ticketId).filter((id): id is string => id !== null);
    const visible = new Set(ticketIds.length ? await this.ticketQueries.visibleIds(actor, ticketIds) : []);
    const seen = rows.filter((r) => r.c.ticketId === null || visible.has(r.c.ticketId));
    const goals = await this.ctx.db.select().from(planningGoals).where(eq(planningGoals.week, week));
    const goalOf = new Map(goals.map((g) => [g.organizationId, g.goal]));
    const brief = (r: (typeof rows)[number]): Brief => ({
      id: r.c.id,
      boardId: r.c.boardId,
      title: r.c.title,
      ticketNumber: r.c.ticketNumber,
      role: r.role,
      estimateHours: r.c.estimateHours,
      ownerIds: r.c.ownerIds,
      week: r.c.week,
      completedAt: r.c.completedAt?.toISOString() ?? null,
      version: r.c.version,
    });
    const completedBefore = (r: (typeof rows)[number]) => !!r.c.completedAt && r.c.completedAt >= new Date(`${previous}T00:00:00Z`) && r.c.completedAt < new Date(`${week}T00:00:00Z`);
    const section = (organizationId: string | null) => {
      const mine = seen.filter((r) => r.c.organizationId === organizationId);
      const open = mine.filter((r) => !r.c.archivedAt);
      const committed = open.filter((r) => r.c.week === week).map(brief);
      return {
        upNext: open.filter((r) => r.role === 'up_next' && r.c.week !== week).map(brief),
        committed,
        committedHours: committed.reduce((n, c) => n + (c.estimateHours ?? 0), 0),
        unestimated: committed.filter((c) => c.estimateHours === null).length,
        completedLastWeek: mine.filter(completedBefore).map(brief),
      };
    };
    const customers = customerBoards.map((b) => ({ organizationId: b.organizationId as string, boardId: b.id, name: b.name, goal: goalOf.get(b.organizationId as string) ?? '', ...section(b.organizationId) }));
    const triage = section(null);

    // Each person with a card in the week: the hours it asks of them against the hours they have.
    const committedAll = seen.filter((r) => !r.c.archivedAt && r.c.week === week);
    const ownerIds = [...new Set(committedAll.flatMap((r) => r.c.ownerIds))];
    const users = ownerIds.length ? await this.people.getUsers(ownerIds) : [];
    const hoursRows = ownerIds.length ? await this.ctx.db.select({ userId: timePeople.userId, weeklyHours: timePeople.weeklyHours }).from(timePeople).where(inArray(timePeople.userId, ownerIds)) : [];
    const available = new Map(hoursRows.map((h) => [h.userId, h.weeklyHours]));
    const people = users
      .map((u) => {
        const theirs = committedAll.filter((r) => r.c.ownerIds.includes(u.id));
        return { id: u.id, name: u.name, availableHours: available.get(u.id) ?? DEFAULT_WEEKLY_HOURS, committedHours: theirs.reduce((n, r) => n + (r.c.estimateHours ?? 0), 0), cards: theirs.length };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const unowned = committedAll.filter((r) => r.c.ownerIds.length === 0).length;
    return { week, previousWeek: previous, customers, triage, people, unowned };
  }

  /** The week's goal for a customer (an empty text removes it). */
  async setGoal(actor: Actor, input: z.infer<typeof GoalBody>) {
    mustBeMonday(input.week, 'body.week');
    await this.people.getOrganization(input.organizationId, this.ctx.db, 'INVALID_REFERENCE').catch(() => {
      throw new AppError('INVALID_REFERENCE', `No organisation with id ${input.organizationId}`, { fields: [{ path: 'body.organizationId', message: 'no such organisation' }] });
    });
    if (!input.goal) {
      await this.ctx.db.delete(planningGoals).where(and(eq(planningGoals.organizationId, input.organizationId), eq(planningGoals.week, input.week)));
    } else {
      const values = { goal: input.goal, updatedBy: actor.userId, updatedAt: this.ctx.clock.now() };
      await this.ctx.db
        .insert(planningGoals)
        .values({ organizationId: input.organizationId, week: input.week, ...values })
        .onConflictDoUpdate({ target: [planningGoals.organizationId, planningGoals.week], set: values });
    }
    return { organizationId: input.organizationId, week: input.week, goal: input.goal };
  }
}
