import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';

/**
 * Business time: when a support team is at work, and deadline arithmetic over it. Pure functions; the only
 * state is a cache of public-holiday lists per region and year.
 *
 * A calendar is a time zone, weekly opening intervals in local wall-clock time (several per day: 09:00–12:00
 * and 13:00–17:00), holidays (one-off or yearly dates, plus a country/region's public holidays), or 24/7.
 * Intervals are turned into real instants day by day in the calendar's zone, so a DST change is handled where it
 * happens: on the night clocks go forward an interval 01:00–04:00 lasts two hours, not three.
 */

export type Interval = { start: string; end: string };
/** Weekday 1 (Monday) … 7 (Sunday), ISO numbering, to its opening intervals. */
export type WeeklyHours = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', Interval[]>>;
export type Holiday = { date: string; name: string; yearly: boolean };
export type HolidayRegion = { country: string; state?: string | null };

export type CalendarSpec = {
  timeZone: string;
  alwaysOpen: boolean;
  weekly: WeeklyHours;
  holidays: Holiday[];
  holidayRegion: HolidayRegion | null;
};

export const TWENTY_FOUR_SEVEN: CalendarSpec = { timeZone: 'UTC', alwaysOpen: true, weekly: {}, holidays: [], holidayRegion: null };

// A calendar with hours finds its next open minute within a few weeks; this bounds a search on one with none.
const MAX_DAYS = 3 * 366;

/** `HH:MM` to minutes after midnight; `24:00` is the end of the day. */
export function minutesOfDay(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return Number.NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return Number.NaN;
  return h * 60 + min;
}

/** Problems with a calendar, as field paths and messages; empty when it is valid. */
export function validateCalendar(spec: CalendarSpec): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!IANAZone.isValidZone(spec.timeZone)) problems.push({ path: 'timeZone', message: `unknown time zone ${spec.timeZone}` });
  for (const [day, intervals] of Object.entries(spec.weekly)) {
    if (!/^[1-7]$/.test(day)) {
      problems.push({ path: `weekly.${day}`, message: 'days are 1 (Monday) to 7 (Sunday)' });
      continue;
    }
    const sorted = [...(intervals ?? [])].map((iv, i) => ({ i, s: minutesOfDay(iv.start), e: minutesOfDay(iv.end), iv })).sort((a, b) => a.s - b.s);
    for (const x of sorted) {
      if (Number.isNaN(x.s) || Number.isNaN(x.e)) problems.push({ path: `weekly.${day}.${x.i}`, message: `expected HH:MM times, got ${x.iv.start}–${x.iv.end}` });
      else if (x.e <= x.s) problems.push({ path: `weekly.${day}.${x.i}`, message: `ends (${x.iv.end}) before it starts (${x.iv.start})` });
    }
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1] as (typeof sorted)[number];
      const cur = sorted[k] as (typeof sorted)[number];
      if (cur.s < prev.e) problems.push({ path: `weekly.${day}.${cur.i}`, message: `overlaps ${prev.iv.start}–${prev.iv.end}` });
    }
  }
  for (const [i, h] of spec.holidays.entries()) {
    if (!DateTime.fromISO(h.date, { zone: 'UTC' }).isValid || !/^\d{4}-\d{2}-\d{2}$/.test(h.date)) {
      problems.push({ path: `holidays.${i}.date`, message: `expected a date like 2026-12-25, got ${h.date}` });
    }
  }
  if (spec.holidayRegion) {
    const { country, state } = spec.holidayRegion;
    const catalogue = new Holidays();
    const countries = catalogue.getCountries() ?? {};
    if (!countries[country]) problems.push({ path: 'holidayRegion.country', message: `no public-holiday data for country ${country}` });
    else if (state && !catalogue.getStates(country)?.[state]) problems.push({ path: 'holidayRegion.state', message: `no region ${state} in ${country}` });
  }
  if (!spec.alwaysOpen && Object.values(spec.weekly).every((iv) => !iv || iv.length === 0)) {
    problems.push({ path: 'weekly', message: 'a calendar that is not 24/7 needs opening hours on at least one day' });
  }
  return problems;
}

const publicHolidayCache = new Map<string, Set<string>>();

/** Local dates (YYYY-MM-DD) that are public holidays in a region that year, from the date-holidays dataset. */
export function publicHolidays(region: HolidayRegion, year: number): { date: string; name: string }[] {
  const hd = region.state ? new Holidays(region.country, region.state) : new Holidays(region.country);
  return (hd.getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
}

function publicHolidaySet(region: HolidayRegion, year: number): Set<string> {
  const key = `${region.country}/${region.state ?? ''}/${year}`;
  let set = publicHolidayCache.get(key);
  if (!set) {
    set = new Set(publicHolidays(region, year).map((h) => h.date));
    publicHolidayCache.set(key, set);
  }
  return set;
}

export function isHoliday(spec: CalendarSpec, day: DateTime): boolean {
  const date = day.toISODate() as string;
  const monthDay = date.slice(5);
  for (const h of spec.holidays) {
    if (h.yearly ? h.date.slice(5) === monthDay : h.date === date) return true;
  }
  return spec.holidayRegion ? publicHolidaySet(spec.holidayRegion, day.year).has(date) : false;
}

/** The opening intervals of one local day, as real instants (ms), in order. */
function openIntervals(spec: CalendarSpec, day: DateTime): [number, number][] {
  if (isHoliday(spec, day)) return [];
  const intervals = spec.weekly[String(day.weekday) as keyof WeeklyHours] ?? [];
  const out: [number, number][] = [];
  for (const iv of intervals) {
    const s = minutesOfDay(iv.start);
    const e = minutesOfDay(iv.end);
    // Local wall-clock times become instants in the zone; a time skipped by DST moves forward (luxon's rule).
    const startMs = day.startOf('day').set({ hour: Math.floor(s / 60), minute: s % 60 }).toMillis();
    const endMs = e === 24 * 60 ? day.plus({ days: 1 }).startOf('day').toMillis() : day.startOf('day').set({ hour: Math.floor(e / 60), minute: e % 60 }).toMillis();
    if (endMs > startMs) out.push([startMs, endMs]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Walks the open intervals from `from` on, clipped to start at `from`, calling `visit` until it returns true. */
function walk(spec: CalendarSpec, from: number, visit: (start: number, end: number) => boolean): void {
  let day = DateTime.fromMillis(from, { zone: spec.timeZone }).startOf('day');
  for (let n = 0; n < MAX_DAYS; n++, day = day.plus({ days: 1 })) {
    for (const [s, e] of openIntervals(spec, day)) {
      if (e <= from) continue;
      if (visit(Math.max(s, from), e)) return;
    }
  }
  throw new Error(`calendar has no business time in the ${MAX_DAYS} days after ${new Date(from).toISOString()}`);
}

/**
 * The instant `minutes` business minutes after `start`, always an instant inside business hours: zero minutes is
 * the first business instant at or after `start` (a ticket created on Saturday is due, at the earliest, when
 * Monday opens), and a deadline that uses up an interval exactly falls at the next opening (Friday's 17:00 and
 * Monday's 09:00 are the same business instant). So adding a then b is adding a + b, for any a and b.
 */
export function addBusinessMinutes(spec: CalendarSpec, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a non-negative number');
  if (spec.alwaysOpen) return new Date(start.getTime() + minutes * 60_000);
  let remaining = Math.round(minutes * 60_000);
  let result = start.getTime();
  walk(spec, start.getTime(), (s, e) => {
    if (remaining < e - s) {
      result = s + remaining;
      return true;
    }
    remaining -= e - s;
    return false;
  });
  return new Date(result);
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(spec: CalendarSpec, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (spec.alwaysOpen) return (b - a) / 60_000;
  let total = 0;
  walk(spec, a, (s, e) => {
    if (s >= b) return true;
    total += Math.min(e, b) - s;
    return e >= b;
  });
  return total / 60_000;
}

/** Walks the open intervals backwards from `to`, clipped to end at `to`, calling `visit` until it returns true. */
function walkBack(spec: CalendarSpec, to: number, visit: (start: number, end: number) => boolean): void {
  let day = DateTime.fromMillis(to, { zone: spec.timeZone }).startOf('day');
  for (let n = 0; n < MAX_DAYS; n++, day = day.minus({ days: 1 })) {
    for (const [s, e] of openIntervals(spec, day).reverse()) {
      if (s >= to) continue;
      if (visit(s, Math.min(e, to))) return;
    }
  }
  throw new Error(`calendar has no business time in the ${MAX_DAYS} days before ${new Date(to).toISOString()}`);
}

/**
 * The latest instant from which `minutes` business minutes have passed by `end`: "3 business days ago". A time
 * rule "at least n business hours since X" holds exactly when X is at or before this instant, so it stays a range
 * on X's column (one index scan), and the in-memory evaluator uses the same edge.
 */
export function businessMinutesAgo(spec: CalendarSpec, end: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a non-negative number');
  if (spec.alwaysOpen) return new Date(end.getTime() - minutes * 60_000);
  let remaining = Math.round(minutes * 60_000);
  if (remaining === 0) return end;
  let result = end.getTime();
  walkBack(spec, end.getTime(), (s, e) => {
    if (remaining <= e - s) {
      result = e - remaining;
      return true;
    }
    remaining -= e - s;
    return false;
  });
  return new Date(result);
}

/** Whether `at` is inside business hours. */
export function isOpen(spec: CalendarSpec, at: Date): boolean {
  if (spec.alwaysOpen) return true;
  const t = at.getTime();
  const day = DateTime.fromMillis(t, { zone: spec.timeZone }).startOf('day');
  return openIntervals(spec, day).some(([s, e]) => t >= s && t < e);
}
