import { neutraliseFormula } from '../../platform/csv.js';
import { and, asc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { type Actor, isAgent } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { DEFAULT_WEEKLY_HOURS } from './planning.service.js';
import { cards, timeEntries, timePeople, timeReminders, timeSettings, timeTimers } from './boards.schema.js';

export type TimeEntry = typeof timeEntries.$inferSelect;

const Day = z.iso.date();
/** Minutes: checked by the service, so a negative or absurd duration gets its own error naming the field. */
export const EntryBody = z.object({
  userId: z.uuid().optional(),
  ticketId: z.uuid().optional(),
  cardId: z.uuid().optional(),
  organizationId: z.uuid().optional(),
  workDate: Day,
  minutes: z.number().int().min(-100_000).max(100_000),
  description: z.string().trim().max(2000).default(''),
  billable: z.boolean().default(true),
});
export const UpdateEntryBody = z.object({
  workDate: Day.optional(),
  minutes: z.number().int().min(-100_000).max(100_000).optional(),
  description: z.string().trim().max(2000).optional(),
  billable: z.boolean().optional(),
});
export const TimerBody = z.object({ ticketId: z.uuid().optional(), cardId: z.uuid().optional(), organizationId: z.uuid().optional(), description: z.string().trim().max(2000).default('') });
export const PreferencesBody = z.object({
  timeZone: z.string().min(1).max(64),
  endOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour'),
  reminders: z.boolean(),
  // Hours a week for planned work (the planning view); left as it is when not sent.
  weeklyHours: z.number().min(0).max(168).optional(),
});
export const LockBody = z.object({ lockedThrough: Day.nullable() });
const MAX_MINUTES_A_DAY = 24 * 60;

export type EntryView = ReturnType<typeof entryView>;
function entryView(e: TimeEntry) {
  return {
    id: e.id,
    userId: e.userId,
    organizationId: e.organizationId,
    ticketId: e.ticketId,
    ticketNumber: e.ticketNumber,
    cardId: e.cardId,
    workDate: e.workDate,
    minutes: e.minutes,
    description: e.description,
    billable: e.billable,
    createdAt: e.createdAt.toISOString(),
  };
}

/** The Monday of a day's week (ISO weeks), as YYYY-MM-DD. */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A CSV cell: quoted when it must be, and never read as a formula by a spreadsheet. */
function csvCell(v: string | number | boolean | null): string {
  const s = v === null ? '' : typeof v === 'string' ? neutraliseFormula(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Time entries: logged by hand (ticket page, card, the time screen) or by a running timer; per person and week
 * (timesheets), per customer and period (the report, and its CSV for billing). An admin may lock every day up to a
 * date: entries on those days are then refused, changed or not.
 */
export class TimeService {
  constructor(
    private readonly ctx: Ctx,
    private readonly ticketQueries: TicketQueries,
    private readonly people: PeopleService,
    private readonly ticketSettings: TicketSettingsService,
  ) {}

  async settings(ex: Executor = this.ctx.db) {
    const [row] = await ex.select().from(timeSettings).where(eq(timeSettings.id, 1));
    return { lockedThrough: row?.lockedThrough ?? null };
  }

  async lock(input: z.infer<typeof LockBody>) {
    const values = { lockedThrough: input.lockedThrough, updatedAt: this.ctx.clock.now() };
    await this.ctx.db.insert(timeSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: timeSettings.id, set: values });
    return this.settings();
  }

  private async checkOpen(day: string, ex: Executor, path = 'body.workDate'): Promise<void> {
    const { lockedThrough } = await this.settings(ex);
    if (lockedThrough && day <= lockedThrough) {
      throw new AppError('PERIOD_LOCKED', `Timesheets are locked up to ${lockedThrough}; ${day} can no longer change`, { fields: [{ path, message: `locked through ${lockedThrough}` }] });
    }
  }

  private checkMinutes(minutes: number, path = 'body.minutes'): void {
    if (minutes <= 0) throw new AppError('DURATION_OUT_OF_RANGE', `A duration is more than 0 minutes, not ${minutes}`, { fields: [{ path, message: 'must be more than 0' }] });
    if (minutes > MAX_MINUTES_A_DAY) throw new AppError('DURATION_OUT_OF_RANGE', `One entry is at most 24 hours (1440 minutes), not ${minutes}`, { fields: [{ path, message: 'at most 24 h' }] });
  }

  /** Who the entry is for (someone else's only by an admin), and what it is against: ticket, card, organisation agree. */
  private async resolveTarget(actor: Actor, input: { ticketId?: string; cardId?: string; organizationId?: string }, ex: Executor) {
    let organizationId = input.organizationId ?? null;
    let ticketId = input.ticketId ?? null;
    let ticketNumber: number | null = null;
    let cardId = input.cardId ?? null;
    if (cardId) {
      const [card] = await ex.select().from(cards).where(eq(cards.id, cardId));
      if (!card) throw new AppError('INVALID_REFERENCE', `No card with id ${cardId}`, { fields: [{ path: 'body.cardId', message: 'no such card' }] });
      if (ticketId && card.ticketId && ticketId !== card.ticketId) throw new AppError('INVALID_REFERENCE', 'That card is not the ticket’s card', { fields: [{ path: 'body.cardId', message: 'another ticket' }] });
      ticketId = ticketId ?? card.ticketId;
      if (organizationId && card.organizationId && organizationId !== card.organizationId) {
        throw new AppError('CARD_WRONG_ORGANIZATION', 'That card is another organisation’s', { fields: [{ path: 'body.organizationId', message: 'not the card’s organisation' }] });
      }
      organizationId = organizationId ?? card.organizationId;
      cardId = card.id;
    }
    if (ticketId) {
      const ticket = await this.ticketQueries.getRow(actor, ticketId, ex).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) throw new AppError('INVALID_REFERENCE', `No ticket with id ${ticketId}`, { fields: [{ path: 'body.ticketId', message: 'no such ticket' }] });
        throw err;
      });
      if (organizationId && ticket.organizationId && organizationId !== ticket.organizationId) {
        throw new AppError('CARD_WRONG_ORGANIZATION', `Ticket #${ticket.number} is another organisation’s`, { fields: [{ path: 'body.organizationId', message: 'not the ticket’s organisation' }] });
      }
      organizationId = organizationId ?? ticket.organizationId;
      ticketNumber = ticket.number;
    }
    if (organizationId) {
      await this.people.getOrganization(organizationId, ex, 'INVALID_REFERENCE').catch(() => {
        throw new AppError('INVALID_REFERENCE', `No organisation with id ${organizationId}`, { fields: [{ path: 'body.organizationId', message: 'no such organisation' }] });
      });
    }
    if (!organizationId && !ticketId && !cardId) {
      throw new AppError('VALIDATION_FAILED', 'Time is against a customer, a ticket or a card: name one', { fields: [{ path: 'body.organizationId', message: 'required without ticketId or cardId' }] });
    }
    return { organizationId, ticketId, ticketNumber, cardId };
  }

  private async forWhom(actor: Actor, userId: string | undefined): Promise<string> {
    if (!userId || userId === actor.userId) return actor.userId;
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin logs time for someone else');
    const [user] = await this.people.getUsers([userId]);
    if (!user || user.role === 'customer') throw new AppError('INVALID_REFERENCE', 'Time is logged by staff', { fields: [{ path: 'body.userId', message: 'not a member of staff' }] });
    return user.id;
  }

  async add(actor: Actor, input: z.infer<typeof EntryBody>): Promise<EntryView> {
    this.checkMinutes(input.minutes);
    const userId = await this.forWhom(actor, input.userId);
    const entry = await this.ctx.db.transaction(async (tx) => {
      await this.checkOpen(input.workDate, tx);
      const target = await this.resolveTarget(actor, input, tx);
      await this.checkDayTotal(tx, userId, input.workDate, input.minutes, null);
      const [row] = await tx
        .insert(timeEntries)
        .values({ userId, ...target, workDate: input.workDate, minutes: input.minutes, description: input.description, billable: input.billable, createdAt: this.ctx.clock.now() })
        .returning();
      await tx.insert(timePeople).values({ userId }).onConflictDoNothing();
      return row as TimeEntry;
    });
    return entryView(entry);
  }

  /** A person's day holds at most 24 hours. */
  private async checkDayTotal(tx: Executor, userId: string, day: string, minutes: number, except: string | null): Promise<void> {
    const [r] = await tx
      .select({ n: sql<number>`coalesce(sum(${timeEntries.minutes}), 0)::int` })
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, userId), eq(timeEntries.workDate, day), except ? sql`${timeEntries.id} <> ${except}` : undefined));
    const total = Number(r?.n ?? 0) + minutes;
    if (total > MAX_MINUTES_A_DAY) throw new AppError('DURATION_OUT_OF_RANGE', `That makes ${(total / 60).toFixed(1)} h on ${day}; a day holds at most 24 h`, { fields: [{ path: 'body.minutes', message: 'the day would pass 24 h' }] });
  }

  private async own(actor: Actor, id: string, ex: Executor): Promise<TimeEntry> {
    const [e] = await ex.select().from(timeEntries).where(eq(timeEntries.id, id)).for('update');
    if (!e) throw new AppError('NOT_FOUND', `No time entry with id ${id}`);
    if (e.userId !== actor.userId && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only its author or an admin changes a time entry');
    return e;
  }

  async update(actor: Actor, id: string, patch: z.infer<typeof UpdateEntryBody>): Promise<EntryView> {
    if (patch.minutes !== undefined) this.checkMinutes(patch.minutes);
    const row = await this.ctx.db.transaction(async (tx) => {
      const e = await this.own(actor, id, tx);
      await this.checkOpen(e.workDate, tx, 'id');
      if (patch.workDate) await this.checkOpen(patch.workDate, tx);
      await this.checkDayTotal(tx, e.userId, patch.workDate ?? e.workDate, patch.minutes ?? e.minutes, e.id);
      const [u] = await tx.update(timeEntries).set(patch).where(eq(timeEntries.id, id)).returning();
      return u as TimeEntry;
    });
    return entryView(row);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      const e = await this.own(actor, id, tx);
      await this.checkOpen(e.workDate, tx, 'id');
      await tx.delete(timeEntries).where(eq(timeEntries.id, id));
    });
  }

  /** Entries of a ticket, newest first, with the total (the ticket page's time panel). */
  async forTicket(actor: Actor, ticketId: string) {
    await this.ticketQueries.getRow(actor, ticketId);
    const rows = await this.ctx.db.select().from(timeEntries).where(eq(timeEntries.ticketId, ticketId)).orderBy(sql`${timeEntries.workDate} desc`, sql`${timeEntries.createdAt} desc`);
    return { items: rows.map(entryView), totalMinutes: rows.reduce((n, e) => n + e.minutes, 0), ...(await this.names(rows)) };
  }

  async forCard(cardId: string) {
    const rows = await this.ctx.db.select().from(timeEntries).where(eq(timeEntries.cardId, cardId)).orderBy(sql`${timeEntries.workDate} desc`);
    return { items: rows.map(entryView), totalMinutes: rows.reduce((n, e) => n + e.minutes, 0), ...(await this.names(rows)) };
  }

  /** One person's week: each day's entries and totals. Staff see their own; admins anyone's. */
  async timesheet(actor: Actor, userId: string | undefined, day: string) {
    const who = userId ?? actor.userId;
    if (who !== actor.userId && !isAgent(actor)) throw new AppError('FORBIDDEN', 'Only agents and admins see someone else’s timesheet');
    const from = mondayOf(day);
    const to = addDays(from, 6);
    const rows = await this.ctx.db
      .select()
      .from(timeEntries)
      .where(and(eq(timeEntries.userId, who), gte(timeEntries.workDate, from), lte(timeEntries.workDate, to)))
      .orderBy(asc(timeEntries.workDate), asc(timeEntries.createdAt));
    const days = Array.from({ length: 7 }, (_, i) => addDays(from, i)).map((d) => {
      const items = rows.filter((e) => e.workDate === d);
      return { day: d, minutes: items.reduce((n, e) => n + e.minutes, 0), items: items.map(entryView) };
    });
    return { userId: who, week: from, days, totalMinutes: rows.reduce((n, e) => n + e.minutes, 0), lockedThrough: (await this.settings()).lockedThrough, ...(await this.names(rows)) };
  }

  /**
   * Time over a period: per customer (billable apart), per ticket (the 200 largest), per ticket type and per person. One aggregate
   * query, grouped by customer and ticket, does the summing in SQL; the three views are folded from its rows.
   */
  async report(input: { from: string; to: string; organizationId?: string }) {
    this.checkPeriod(input);
    const rows = await this.ctx.db
      .select({
        organizationId: timeEntries.organizationId,
        ticketId: timeEntries.ticketId,
        ticketNumber: sql<number | null>`max(${timeEntries.ticketNumber})`,
        minutes: sql<number>`sum(${timeEntries.minutes})::int`,
        billableMinutes: sql<number>`coalesce(sum(${timeEntries.minutes}) filter (where ${timeEntries.billable}), 0)::int`,
        entries: sql<number>`count(*)::int`,
      })
      .from(timeEntries)
      .where(and(gte(timeEntries.workDate, input.from), lte(timeEntries.workDate, input.to), input.organizationId ? eq(timeEntries.organizationId, input.organizationId) : undefined))
      .groupBy(timeEntries.organizationId, timeEntries.ticketId);
    // Per agent: a second aggregate (grouping the first by person too would multiply its rows by the people).
    const perPerson = await this.ctx.db
      .select({
        userId: timeEntries.userId,
        minutes: sql<number>`sum(${timeEntries.minutes})::int`,
        billableMinutes: sql<number>`coalesce(sum(${timeEntries.minutes}) filter (where ${timeEntries.billable}), 0)::int`,
        entries: sql<number>`count(*)::int`,
      })
      .from(timeEntries)
      .where(and(gte(timeEntries.workDate, input.from), lte(timeEntries.workDate, input.to), input.organizationId ? eq(timeEntries.organizationId, input.organizationId) : undefined))
      .groupBy(timeEntries.userId);
    const personName = new Map((perPerson.length ? await this.people.getUsers(perPerson.map((p) => p.userId)) : []).map((u) => [u.id, u.name]));
    const perOrg = new Map<string | null, { minutes: number; billableMinutes: number; entries: number }>();
    for (const r of rows) {
      const o = perOrg.get(r.organizationId) ?? { minutes: 0, billableMinutes: 0, entries: 0 };
      o.minutes += Number(r.minutes);
      o.billableMinutes += Number(r.billableMinutes);
      o.entries += Number(r.entries);
      perOrg.set(r.organizationId, o);
    }
    const orgs = await this.people.getOrganizations([...perOrg.keys()].filter((x): x is string => !!x));
    const nameOf = new Map(orgs.map((o) => [o.id, o.name]));
    const onTickets = rows.filter((r) => r.ticketId !== null);
    const typeOf = await this.ticketQueries.typesOf(onTickets.map((r) => r.ticketId as string));
    const labels = new Map((await this.ticketSettings.listTypes()).map((t) => [t.key, t.label]));
    const perType = new Map<string, number>();
    for (const r of rows) {
      const key = r.ticketId === null ? '' : (typeOf.get(r.ticketId) ?? '-');
      perType.set(key, (perType.get(key) ?? 0) + Number(r.minutes));
    }
    return {
      from: input.from,
      to: input.to,
      customers: [...perOrg.entries()]
        .map(([organizationId, o]) => ({ organizationId, name: organizationId ? (nameOf.get(organizationId) ?? '') : 'No customer', ...o }))
        .sort((a, b) => b.minutes - a.minutes || a.name.localeCompare(b.name)),
      tickets: onTickets
        .map((r) => ({ ticketId: r.ticketId, ticketNumber: r.ticketNumber === null ? null : Number(r.ticketNumber), organizationId: r.organizationId, minutes: Number(r.minutes) }))
        .sort((a, b) => b.minutes - a.minutes)
        .slice(0, 200),
      types: [...perType.entries()]
        .map(([key, minutes]) => ({ type: key === '' || key === '-' ? null : key, label: key === '' ? 'Not on a ticket' : key === '-' ? 'No type' : (labels.get(key) ?? key), minutes }))
        .sort((a, b) => b.minutes - a.minutes),
      people: perPerson
        .map((p) => ({ userId: p.userId, name: personName.get(p.userId) ?? '', minutes: Number(p.minutes), billableMinutes: Number(p.billableMinutes), entries: Number(p.entries) }))
        .sort((a, b) => b.minutes - a.minutes || a.name.localeCompare(b.name)),
      totalMinutes: rows.reduce((n, r) => n + Number(r.minutes), 0),
    };
  }

  /** Refuses a period that ends before it starts (checked before a CSV starts streaming: an error cannot follow a 200). */
  checkPeriod(input: { from: string; to: string }): void {
    if (input.to < input.from) throw new AppError('INVALID_FIELD_VALUE', 'The period ends before it starts', { fields: [{ path: 'querystring.to', message: 'before from' }] });
  }

  /**
   * The CSV a billing tool imports: one row per entry — date, person, customer, ticket, description, hours, billable.
   * Streamed in keyset batches (date, created, id): a year of 100,000 entries is never held in memory at once, and the
   * first bytes leave before the last rows are read. Names are looked up once per batch for the ids not seen yet.
   */
  async *csv(input: { from: string; to: string; organizationId?: string }, batch = 5000): AsyncGenerator<string> {
    this.checkPeriod(input);
    yield 'date,person,customer,ticket,description,hours,billable\r\n';
    const person = new Map<string, string>();
    const org = new Map<string, string>();
    // The cursor keeps created_at as the database's text: a JS Date would drop microseconds and skip or repeat rows.
    let after: { workDate: string; createdAt: string; id: string } | null = null;
    for (;;) {
      const page: { e: TimeEntry; at: string }[] = await this.ctx.db
        .select({ e: timeEntries, at: sql<string>`${timeEntries.createdAt}::text` })
        .from(timeEntries)
        .where(
          and(
            gte(timeEntries.workDate, input.from),
            lte(timeEntries.workDate, input.to),
            input.organizationId ? eq(timeEntries.organizationId, input.organizationId) : undefined,
            after ? sql`(${timeEntries.workDate}, ${timeEntries.createdAt}, ${timeEntries.id}) > (${after.workDate}, ${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(asc(timeEntries.workDate), asc(timeEntries.createdAt), asc(timeEntries.id))
        .limit(batch);
      if (!page.length) return;
      const rows = page.map((r) => r.e);
      const users = [...new Set(rows.map((e) => e.userId))].filter((id) => !person.has(id));
      if (users.length) for (const u of await this.people.getUsers(users)) person.set(u.id, u.name);
      const orgs = [...new Set(rows.map((e) => e.organizationId))].filter((id): id is string => !!id && !org.has(id));
      if (orgs.length) for (const o of await this.people.getOrganizations(orgs)) org.set(o.id, o.name);
      let chunk = '';
      for (const e of rows) {
        chunk += `${[e.workDate, person.get(e.userId) ?? '', e.organizationId ? (org.get(e.organizationId) ?? '') : '', e.ticketNumber === null ? '' : `#${e.ticketNumber}`, e.description, (e.minutes / 60).toFixed(2), e.billable ? 'yes' : 'no']
          .map(csvCell)
          .join(',')}\r\n`;
      }
      yield chunk;
      if (page.length < batch) return;
      const last = page[page.length - 1] as { e: TimeEntry; at: string };
      after = { workDate: last.e.workDate, createdAt: last.at, id: last.e.id };
    }
  }

  private async names(rows: TimeEntry[]) {
    const userIds = [...new Set(rows.map((e) => e.userId))];
    const orgIds = [...new Set(rows.map((e) => e.organizationId).filter((x): x is string => !!x))];
    const users = userIds.length ? await this.people.getUsers(userIds) : [];
    const orgs = await this.people.getOrganizations(orgIds);
    return { people: users.map((u) => ({ id: u.id, name: u.name })), organizations: orgs.map((o) => ({ id: o.id, name: o.name })) };
  }

  // ---- the running timer

  async timer(actor: Actor) {
    const [t] = await this.ctx.db.select().from(timeTimers).where(eq(timeTimers.userId, actor.userId));
    return { timer: t ? { startedAt: t.startedAt.toISOString(), ticketId: t.ticketId, cardId: t.cardId, organizationId: t.organizationId, description: t.description } : null };
  }

  async startTimer(actor: Actor, input: z.infer<typeof TimerBody>) {
    const target = await this.resolveTarget(actor, input, this.ctx.db);
    const [made] = await this.ctx.db
      .insert(timeTimers)
      .values({ userId: actor.userId, startedAt: this.ctx.clock.now(), organizationId: target.organizationId, ticketId: target.ticketId, cardId: target.cardId, description: input.description })
      .onConflictDoNothing()
      .returning();
    if (!made) throw new AppError('TIMER_RUNNING', 'Your timer is already running; stop it first');
    return this.timer(actor);
  }

  /** Stops the timer: its time (at least a minute) becomes an entry on today's date. */
  async stopTimer(actor: Actor, input: { description?: string; billable?: boolean }): Promise<EntryView> {
    const [t] = await this.ctx.db.delete(timeTimers).where(eq(timeTimers.userId, actor.userId)).returning();
    if (!t) throw new AppError('TIMER_NOT_RUNNING', 'Your timer is not running');
    const now = this.ctx.clock.now();
    const minutes = Math.min(MAX_MINUTES_A_DAY, Math.max(1, Math.round((now.getTime() - t.startedAt.getTime()) / 60_000)));
    const day = await this.today(actor.userId);
    return this.add(actor, {
      workDate: day,
      minutes,
      description: input.description ?? t.description,
      billable: input.billable ?? true,
      ticketId: t.ticketId ?? undefined,
      cardId: t.cardId ?? undefined,
      organizationId: t.organizationId ?? undefined,
    });
  }

  async discardTimer(actor: Actor): Promise<void> {
    await this.ctx.db.delete(timeTimers).where(eq(timeTimers.userId, actor.userId));
  }

  // ---- preferences and the daily reminder

  async preferences(userId: string) {
    const [p] = await this.ctx.db.select().from(timePeople).where(eq(timePeople.userId, userId));
    return { timeZone: p?.timeZone ?? 'Europe/London', endOfDay: p?.endOfDay ?? '17:30', reminders: p?.reminders ?? true, weeklyHours: p?.weeklyHours ?? DEFAULT_WEEKLY_HOURS, tracking: !!p };
  }

  async setPreferences(userId: string, input: z.infer<typeof PreferencesBody>) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: input.timeZone });
    } catch {
      throw new AppError('UNKNOWN_TIME_ZONE', `Unknown time zone ${input.timeZone}`, { fields: [{ path: 'body.timeZone', message: 'not an IANA time zone' }] });
    }
    await this.ctx.db.insert(timePeople).values({ userId, ...input }).onConflictDoUpdate({ target: timePeople.userId, set: input });
    return this.preferences(userId);
  }

  private async today(userId: string): Promise<string> {
    return localDay(this.ctx.clock.now(), (await this.preferences(userId)).timeZone).day;
  }

  /**
   * The schedule (every few minutes): each person who tracks time, whose local day has passed its end and who logged
   * nothing that day, gets one reminder for that day. The (person, day) key makes it once, whichever process sweeps.
   */
  async sweepReminders(): Promise<number> {
    const now = this.ctx.clock.now();
    const people = await this.ctx.db.select().from(timePeople).where(eq(timePeople.reminders, true));
    let sent = 0;
    for (const p of people) {
      const local = localDay(now, p.timeZone);
      if (local.weekday === 0 || local.weekday === 6 || local.time < p.endOfDay) continue;
      const [logged] = await this.ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(timeEntries)
        .where(and(eq(timeEntries.userId, p.userId), eq(timeEntries.workDate, local.day)));
      if (Number(logged?.n ?? 0) > 0) continue;
      const made = await this.ctx.db.insert(timeReminders).values({ userId: p.userId, day: local.day, createdAt: now }).onConflictDoNothing().returning();
      sent += made.length;
    }
    return sent;
  }

  /** The person's reminders not dismissed and still true (nothing logged since). */
  async reminders(userId: string) {
    const rows = await this.ctx.db
      .select({ day: timeReminders.day })
      .from(timeReminders)
      .where(and(eq(timeReminders.userId, userId), isNull(timeReminders.dismissedAt), sql`not exists (select 1 from ${timeEntries} where ${timeEntries.userId} = ${timeReminders.userId} and ${timeEntries.workDate} = ${timeReminders.day})`))
      .orderBy(asc(timeReminders.day));
    return { items: rows.map((r) => ({ day: r.day })) };
  }

  async dismissReminder(userId: string, day: string): Promise<void> {
    await this.ctx.db
      .update(timeReminders)
      .set({ dismissedAt: this.ctx.clock.now() })
      .where(and(eq(timeReminders.userId, userId), eq(timeReminders.day, day)));
  }
}

/** The date, weekday (0 Sunday) and HH:MM of an instant in a time zone. */
export function localDay(at: Date, timeZone: string): { day: string; time: string; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, weekday };
}
