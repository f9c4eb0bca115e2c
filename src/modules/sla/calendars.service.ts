import { asc } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { CachedCrud } from '../../platform/crud.js';
import { AppError } from '../../platform/errors.js';
import { defineJob, enqueue } from '../../platform/jobs.js';
import { patchOf } from '../../platform/validation.js';
import { addBusinessMinutes, businessMinutesAgo, type CalendarSpec, publicHolidays, validateCalendar } from './business-time.js';
import { businessCalendars } from './sla.schema.js';

export type BusinessCalendar = typeof businessCalendars.$inferSelect;

/** The job that recomputes SLA deadlines after a calendar changed (SlaService.recomputeCalendar). */
export const RECOMPUTE_JOB = 'sla.recompute_calendar';
export const RECOMPUTE_CALENDAR = defineJob({ kind: RECOMPUTE_JOB, payload: z.object({ calendarId: z.string() }) });

const HHMM = z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:MM');
const Intervals = z.array(z.object({ start: HHMM, end: HHMM })).max(12);

export const CalendarBody = z.object({
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().min(1).max(100),
  alwaysOpen: z.boolean().default(false),
  weekly: z.object({ '1': Intervals, '2': Intervals, '3': Intervals, '4': Intervals, '5': Intervals, '6': Intervals, '7': Intervals }).partial().strict().default({}),
  holidays: z
    .array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'), name: z.string().trim().min(1).max(200), yearly: z.boolean().default(false) }))
    .max(500)
    .default([]),
  holidayRegion: z
    .object({ country: z.string().trim().toUpperCase().min(2).max(3), state: z.string().trim().toUpperCase().max(10).nullable().optional() })
    .nullable()
    .default(null),
});
export const UpdateCalendarBody = patchOf(CalendarBody);

// Whole minutes (SLA targets) or whole seconds (a sum of business seconds, as reports count): one of the two.
export const DueQuery = z
  .object({
    start: z.iso.datetime({ offset: true }),
    minutes: z.coerce.number().int().min(0).max(10_000_000).optional(),
    seconds: z.coerce.number().int().min(0).max(600_000_000).optional(),
  })
  .refine((q) => (q.minutes === undefined) !== (q.seconds === undefined), { message: 'give minutes or seconds (one of them)', path: ['minutes'] });

/** Business-hours calendars: admin-edited, read on every SLA computation (cached per process). */
export class CalendarsService extends CachedCrud<BusinessCalendar, z.infer<typeof CalendarBody>> {
  constructor(ctx: Ctx) {
    super(ctx, {
      table: businessCalendars,
      id: businessCalendars.id,
      order: [asc(businessCalendars.createdAt), asc(businessCalendars.name)],
      cache: 'business_calendars',
      noun: 'calendar',
      named: 'A calendar named',
      check: (c) => check(c),
      // The SLA clocks counted on this calendar are recomputed by a job, committed with the change.
      onUpdate: (tx, id) => enqueue(tx, ctx.clock, RECOMPUTE_CALENDAR, { calendarId: id }).then(() => undefined),
      inUse: 'SLA policies or automations count on this calendar; point them at another one first',
    });
  }

  /** The instant `minutes` business minutes (or `seconds` business seconds) after `start` on this calendar: the SLA editor's preview. */
  async due(id: string, start: Date, amount: { minutes?: number; seconds?: number }): Promise<{ due: string; start: string; minutes: number; seconds: number; timeZone: string }> {
    const cal = await this.get(id);
    const seconds = amount.seconds ?? (amount.minutes ?? 0) * 60;
    // Minutes may be fractional here: addBusinessMinutes counts in milliseconds, so n/60 minutes is exactly n seconds.
    return { start: start.toISOString(), minutes: seconds / 60, seconds, due: addBusinessMinutes(spec(cal), start, seconds / 60).toISOString(), timeZone: cal.timeZone };
  }

  /** Counting back on this calendar: the instant `minutes` business minutes before `now` (automations' "hours since"). */
  async countingBack(id: string, ex?: Executor): Promise<(now: Date, minutes: number) => Date> {
    const calendar = spec(await this.get(id, ex));
    return (now, minutes) => businessMinutesAgo(calendar, now, minutes);
  }

  /** The holidays that close this calendar in a year: its own, and its region's public holidays. */
  async holidays(id: string, year: number): Promise<{ date: string; name: string; source: 'calendar' | 'region' }[]> {
    const cal = await this.get(id);
    const own = cal.holidays
      .map((h) => ({ date: h.yearly ? `${year}${h.date.slice(4)}` : h.date, name: h.name, source: 'calendar' as const }))
      .filter((h) => h.date.startsWith(String(year)));
    const region = cal.holidayRegion ? publicHolidays(cal.holidayRegion, year).map((h) => ({ ...h, source: 'region' as const })) : [];
    return [...own, ...region].sort((a, b) => a.date.localeCompare(b.date));
  }
}

export function spec(cal: Pick<BusinessCalendar, 'timeZone' | 'alwaysOpen' | 'weekly' | 'holidays' | 'holidayRegion'>): CalendarSpec {
  return { timeZone: cal.timeZone, alwaysOpen: cal.alwaysOpen, weekly: cal.weekly, holidays: cal.holidays, holidayRegion: cal.holidayRegion ?? null };
}

function check(input: Pick<BusinessCalendar, 'timeZone' | 'alwaysOpen' | 'weekly' | 'holidays' | 'holidayRegion'>): void {
  const problems = validateCalendar(spec(input));
  if (problems.length) {
    throw new AppError('INVALID_CALENDAR', `The calendar is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      fields: problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
    });
  }
}
