/**
 * Local dates and wall-clock times in an IANA time zone, for digests: when "08:00 in Europe/Berlin on 2026-03-29"
 * is as an instant. A wall time that occurs twice (the hour repeated when clocks go back) is its first occurrence;
 * one that does not occur (02:30 when clocks jump from 02:00 to 03:00) is the next instant that exists — the jump
 * itself, 03:00. Digests are keyed by local date, so either way a digest goes once per local day.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export type Local = { date: string; time: string; weekday: number };
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The local date ('YYYY-MM-DD'), wall time ('HH:MM:SS') and ISO weekday of an instant in a time zone. */
export function local(at: Date, timeZone: string): Local {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(at)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, weekday: WEEKDAYS[p.weekday as string] ?? 0 };
}

/** The instant of a local date and wall time ('HH:MM') in a time zone (see the note above for DST). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const wanted = `${date} ${time}:00`;
  const wall = (t: number) => {
    const l = local(new Date(t), timeZone);
    return `${l.date} ${l.time}`;
  };
  const naive = Date.parse(`${date}T${time}:00Z`);
  const offset = (t: number) => Date.parse(`${wall(t).replace(' ', 'T')}Z`) - t;
  // The zone's offsets a day either side: one of them is in force at the wanted wall time unless it falls in a gap.
  const candidates = [...new Set([offset(naive - 86_400_000), offset(naive + 86_400_000), offset(naive)])].map((o) => naive - o).sort((a, b) => a - b);
  const exact = candidates.find((t) => wall(t) === wanted);
  if (exact !== undefined) return new Date(exact);
  // A gap: between the candidates the wall clock only moves forward; find the first minute that reads `wanted` or later.
  let lo = candidates[0] as number;
  let hi = candidates.at(-1) as number;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (wall(mid) >= wanted) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The local date a number of days after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
