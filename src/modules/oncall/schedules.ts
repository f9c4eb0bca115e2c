import { and, asc, desc, eq, gt, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, type FieldError, uniquelyNamed } from '../../platform/errors.js';
import type { PeopleService } from '../people/people.service.js';
import { isUuid } from '../tickets/tickets.queries.js';
import { oncallHandoffNotes, oncallLayers, oncallOverrides, oncallPersonFeeds, oncallSchedules } from './oncall.schema.js';
import { isTimeZone, type Layer, type Override, onCallAt, overlapping, type Shift, shiftsBetween } from './rotation.js';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
export const LayerBody = z.object({
  name: z.string().trim().min(1).max(200),
  rank: z.number().int().min(0).max(100).optional(),
  memberIds: z.array(z.uuid()).max(100),
  turnHours: z.number().int().min(1).max(24 * 365),
  handoffTime: HHMM.default('09:00'),
  handoffWeekday: z.number().int().min(1).max(7).nullable().default(null),
  startsOn: z.iso.date(),
});
export const ScheduleBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  timeZone: z.string().min(1).max(100),
  layers: z.array(LayerBody).max(10),
});
export const OverrideBody = z
  .object({ userId: z.uuid(), startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }), note: z.string().max(1000).default('') })
  .refine((o) => new Date(o.startsAt) < new Date(o.endsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] });
export const HandoffNoteBody = z.object({ body: z.string().trim().min(1).max(20_000) });

export type ScheduleRow = typeof oncallSchedules.$inferSelect;
export type LayerRow = typeof oncallLayers.$inferSelect;
export type OverrideRow = typeof oncallOverrides.$inferSelect;
export type ScheduleDetail = ScheduleRow & { layers: LayerRow[]; overrides: OverrideRow[] };

/** The longest range a calendar or feed covers, so a request cannot ask for years of turns. */
const MAX_RANGE_DAYS = 100;

/**
 * Schedules, their layers and overrides, and the reads built on rotation.ts: who is on now or at any moment,
 * shifts for a calendar, the iCal feeds and hand-off notes.
 */
export class Schedules {
  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
  ) {}

  list(): Promise<ScheduleRow[]> {
    return this.ctx.db.select().from(oncallSchedules).orderBy(asc(oncallSchedules.name));
  }

  async get(id: string, ex: Executor = this.ctx.db, code: 'NOT_FOUND' | 'INVALID_REFERENCE' = 'NOT_FOUND'): Promise<ScheduleDetail> {
    const [s] = isUuid(id) ? await ex.select().from(oncallSchedules).where(eq(oncallSchedules.id, id)) : [];
    if (!s) throw new AppError(code, `No on-call schedule with id ${id}`);
    const layers = await ex.select().from(oncallLayers).where(eq(oncallLayers.scheduleId, id)).orderBy(desc(oncallLayers.rank));
    const overrides = await ex.select().from(oncallOverrides).where(eq(oncallOverrides.scheduleId, id)).orderBy(asc(oncallOverrides.startsAt));
    return { ...s, layers, overrides };
  }

  private async check(input: z.infer<typeof ScheduleBody>, ex: Executor): Promise<void> {
    if (!isTimeZone(input.timeZone)) {
      throw new AppError('UNKNOWN_TIME_ZONE', `Unknown time zone ${input.timeZone}: use an IANA name such as Europe/Amsterdam`, { fields: [{ path: 'body.timeZone', message: 'unknown time zone' }] });
    }
    if (input.layers.every((l) => l.memberIds.length === 0)) {
      throw new AppError('SCHEDULE_HAS_NO_MEMBERS', 'A schedule needs at least one layer with at least one person in it', { fields: [{ path: 'body.layers', message: 'no members' }] });
    }
    const problems: FieldError[] = [];
    for (const [i, layer] of input.layers.entries()) {
      for (const [j, userId] of layer.memberIds.entries()) {
        if (!(await this.isStaff(userId, ex))) problems.push({ path: `body.layers.${i}.memberIds.${j}`, message: `no active agent with id ${userId}` });
      }
    }
    if (problems.length) throw new AppError('INVALID_REFERENCE', problems.map((p) => p.message).join('; '), { fields: problems });
  }

  /** The people in a schedule's layers or overrides who are no longer active staff: they are never paged. */
  async notPaged(s: ScheduleDetail, ex: Executor = this.ctx.db): Promise<string[]> {
    const named = new Set([...s.layers.flatMap((l) => l.memberIds), ...s.overrides.map((o) => o.userId)]);
    const out: string[] = [];
    for (const id of named) if (!(await this.isStaff(id, ex))) out.push(id);
    return out;
  }

  async isStaff(userId: string, ex: Executor = this.ctx.db): Promise<boolean> {
    const user = await this.people.getUser(userId, ex).catch(() => null);
    return !!user && user.active && user.role !== 'customer';
  }

  async create(input: z.infer<typeof ScheduleBody>): Promise<ScheduleDetail> {
    return this.ctx.db.transaction(async (tx) => {
      await this.check(input, tx);
      const now = this.ctx.clock.now();
      const [row] = await uniquelyNamed(`An on-call schedule named ${input.name}`, () =>
        tx
          .insert(oncallSchedules)
          // No feed link until an admin makes one (rotate): the hash of a token nobody was given.
          .values({ name: input.name, description: input.description, timeZone: input.timeZone, feedTokenHash: sha256(randomToken(24)), createdAt: now, updatedAt: now })
          .returning(),
      );
      await this.writeLayers(tx, (row as ScheduleRow).id, input.layers);
      return this.get((row as ScheduleRow).id, tx);
    });
  }

  async update(id: string, input: z.infer<typeof ScheduleBody>): Promise<ScheduleDetail> {
    return this.ctx.db.transaction(async (tx) => {
      await this.get(id, tx);
      await this.check(input, tx);
      await uniquelyNamed(`An on-call schedule named ${input.name}`, () =>
        tx.update(oncallSchedules).set({ name: input.name, description: input.description, timeZone: input.timeZone, updatedAt: this.ctx.clock.now() }).where(eq(oncallSchedules.id, id)),
      );
      await tx.delete(oncallLayers).where(eq(oncallLayers.scheduleId, id));
      await this.writeLayers(tx, id, input.layers);
      return this.get(id, tx);
    });
  }

  private async writeLayers(tx: Tx, scheduleId: string, layers: z.infer<typeof LayerBody>[]): Promise<void> {
    if (layers.length === 0) return;
    // Without explicit ranks, later layers are higher (as drawn in the editor: each new layer on top).
    await tx.insert(oncallLayers).values(layers.map((l, i) => ({ ...l, rank: l.rank ?? i, scheduleId })));
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.ctx.db.delete(oncallSchedules).where(eq(oncallSchedules.id, id));
  }

  /** Adds an override; one that overlaps another of the schedule is refused (the schedule row is locked, so two at once cannot both pass). */
  async addOverride(actor: Actor, scheduleId: string, input: z.infer<typeof OverrideBody>): Promise<OverrideRow> {
    return this.ctx.db.transaction(async (tx) => {
      const [s] = isUuid(scheduleId) ? await tx.select().from(oncallSchedules).where(eq(oncallSchedules.id, scheduleId)).for('update') : [];
      if (!s) throw new AppError('NOT_FOUND', `No on-call schedule with id ${scheduleId}`);
      if (!(await this.isStaff(input.userId, tx))) throw new AppError('INVALID_REFERENCE', `No active agent with id ${input.userId}`, { fields: [{ path: 'body.userId', message: 'no such agent' }] });
      const startsAt = new Date(input.startsAt);
      const endsAt = new Date(input.endsAt);
      const clash = await tx
        .select()
        .from(oncallOverrides)
        .where(and(eq(oncallOverrides.scheduleId, scheduleId), lt(oncallOverrides.startsAt, endsAt), gt(oncallOverrides.endsAt, startsAt)));
      if (overlapping(clash, { startsAt, endsAt })) {
        const c = clash[0] as OverrideRow;
        throw new AppError('OVERRIDES_OVERLAP', `This override overlaps another one (${c.startsAt.toISOString()} – ${c.endsAt.toISOString()}); change or remove that one first`, {
          fields: [{ path: 'body.startsAt', message: 'overlaps another override' }],
          extra: { overlapsId: c.id },
        });
      }
      const [row] = await tx
        .insert(oncallOverrides)
        .values({ scheduleId, userId: input.userId, startsAt, endsAt, note: input.note, createdById: actor.userId ?? null, createdAt: this.ctx.clock.now() })
        .returning();
      return row as OverrideRow;
    });
  }

  async removeOverride(scheduleId: string, overrideId: string): Promise<void> {
    const gone = isUuid(overrideId)
      ? await this.ctx.db
          .delete(oncallOverrides)
          .where(and(eq(oncallOverrides.id, overrideId), eq(oncallOverrides.scheduleId, scheduleId)))
          .returning({ id: oncallOverrides.id })
      : [];
    if (gone.length === 0) throw new AppError('NOT_FOUND', `No override ${overrideId} on schedule ${scheduleId}`);
  }

  // ---- reads

  private static rotation(s: ScheduleDetail): { layers: Layer[]; overrides: Override[] } {
    return { layers: s.layers.map((l) => ({ ...l })), overrides: s.overrides.map((o) => ({ id: o.id, userId: o.userId, startsAt: o.startsAt, endsAt: o.endsAt })) };
  }

  /** Who is on call for the schedule at `at` (now by default). */
  async onCall(id: string, at: Date = this.ctx.clock.now(), ex: Executor = this.ctx.db) {
    const s = await this.get(id, ex);
    const { layers, overrides } = Schedules.rotation(s);
    return onCallAt(layers, overrides, s.timeZone, at);
  }

  shifts(s: ScheduleDetail, from: Date, to: Date): Shift[] {
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000 || to <= from) {
      throw new AppError('INVALID_FIELD_VALUE', `A range is up to ${MAX_RANGE_DAYS} days and ends after it starts`, { fields: [{ path: 'querystring.to', message: 'bad range' }] });
    }
    const { layers, overrides } = Schedules.rotation(s);
    return shiftsBetween(layers, overrides, s.timeZone, from, to);
  }

  // ---- iCal feeds (no session: the URL's token is the credential; only its hash is stored, so a link is shown
  // once, when made, and "rotate" replaces it: the old link stops working at once)

  async scheduleByFeed(id: string, token: string): Promise<ScheduleDetail> {
    const s = await this.get(id).catch(() => null);
    if (!s || !safeEqual(s.feedTokenHash, sha256(token))) throw new AppError('NOT_FOUND', 'No such feed');
    return s;
  }

  /** A new token for the schedule's feed (the old one stops working); returns the token. */
  async rotateScheduleFeed(id: string): Promise<string> {
    await this.get(id);
    const token = randomToken(24);
    await this.ctx.db.update(oncallSchedules).set({ feedTokenHash: sha256(token) }).where(eq(oncallSchedules.id, id));
    return token;
  }

  /** Whether the person has a feed link (its token cannot be shown again). */
  async hasPersonFeed(userId: string): Promise<boolean> {
    const [row] = await this.ctx.db.select({ userId: oncallPersonFeeds.userId }).from(oncallPersonFeeds).where(eq(oncallPersonFeeds.userId, userId));
    return !!row;
  }

  /** A new token for the person's feed (made, or replacing the old one, which stops working); returns the token. */
  async rotatePersonFeed(userId: string): Promise<string> {
    const token = randomToken(24);
    await this.ctx.db
      .insert(oncallPersonFeeds)
      .values({ userId, tokenHash: sha256(token) })
      .onConflictDoUpdate({ target: oncallPersonFeeds.userId, set: { tokenHash: sha256(token) } });
    return token;
  }

  /** The person a feed token belongs to, while they are active staff: a deactivated person's feed is refused. */
  async personByFeed(userId: string, token: string): Promise<string> {
    const [row] = isUuid(userId) ? await this.ctx.db.select().from(oncallPersonFeeds).where(eq(oncallPersonFeeds.userId, userId)) : [];
    if (!row || !safeEqual(row.tokenHash, sha256(token))) throw new AppError('NOT_FOUND', 'No such feed');
    if (!(await this.isStaff(userId))) throw new AppError('NOT_FOUND', 'No such feed');
    return userId;
  }

  /** Every schedule's shifts of one person in the range. */
  async personShifts(userId: string, from: Date, to: Date): Promise<(Shift & { schedule: string; scheduleId: string })[]> {
    const out: (Shift & { schedule: string; scheduleId: string })[] = [];
    for (const row of await this.list()) {
      const s = await this.get(row.id);
      for (const shift of this.shifts(s, from, to)) if (shift.userId === userId) out.push({ ...shift, schedule: s.name, scheduleId: s.id });
    }
    return out;
  }

  // ---- hand-off notes

  async addHandoffNote(actor: Actor, scheduleId: string, body: string) {
    await this.get(scheduleId);
    const [row] = await this.ctx.db.insert(oncallHandoffNotes).values({ scheduleId, authorId: actor.userId ?? null, body, createdAt: this.ctx.clock.now() }).returning();
    return row as typeof oncallHandoffNotes.$inferSelect;
  }

  handoffNotes(scheduleId: string, since?: Date, ex: Executor = this.ctx.db) {
    return ex
      .select()
      .from(oncallHandoffNotes)
      .where(since ? and(eq(oncallHandoffNotes.scheduleId, scheduleId), gt(oncallHandoffNotes.createdAt, since)) : eq(oncallHandoffNotes.scheduleId, scheduleId))
      .orderBy(desc(oncallHandoffNotes.createdAt))
      .limit(50);
  }
}

function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
