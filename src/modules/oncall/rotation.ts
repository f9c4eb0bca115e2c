import { DateTime, IANAZone } from 'luxon';

/**
 * Who is on call, as pure functions of a schedule's layers and overrides and a moment: no database, no clock,
 * so every case (DST changes included) is a plain test.
 *
 * A layer is a rotation: ordered people, each taking a turn of `turnHours`; the first turn starts at the
 * hand-off time (local, in the schedule's zone) on `startsOn`, or on the first `handoffWeekday` from that day.
 * Turns that are whole days are counted in local calendar days, so a weekly rotation hands off at 09:00 local
 * on both sides of a DST change (a week is then 167 or 169 real hours); other lengths are real hours.
 * Higher `rank` wins where layers overlap; an override (a person for a time range) beats every layer.
 */
export type Layer = {
  id: string;
  rank: number;
  memberIds: string[];
  turnHours: number;
  handoffTime: string; // HH:MM, local
  handoffWeekday: number | null; // 1 = Monday … 7 = Sunday (ISO), or null: the hand-off happens on startsOn
  startsOn: string; // YYYY-MM-DD, local
};
export type Override = { id: string; userId: string; startsAt: Date; endsAt: Date };
export type Shift = { userId: string; start: Date; end: Date; layerId: string | null; overrideId: string | null };

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function localAt(zone: string, date: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return date.setZone(zone).set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/** The instant the layer's first turn starts. */
export function layerAnchor(layer: Layer, zone: string): DateTime {
  let day = DateTime.fromISO(layer.startsOn, { zone });
  if (layer.handoffWeekday !== null) day = day.plus({ days: (layer.handoffWeekday - day.weekday + 7) % 7 });
  return localAt(zone, day, layer.handoffTime);
}

/** The start of turn `index` (0-based) of the layer. */
function turnStart(layer: Layer, zone: string, anchor: DateTime, index: number): DateTime {
  if (layer.turnHours % 24 === 0) return localAt(zone, anchor.plus({ days: (index * layer.turnHours) / 24 }), layer.handoffTime);
  return anchor.plus({ hours: index * layer.turnHours });
}

/** The turn of the layer in progress at `at`: its index, start and end; null before the layer starts or with nobody in it. */
export function turnAt(layer: Layer, zone: string, at: Date): { index: number; userId: string; start: Date; end: Date } | null {
  if (layer.memberIds.length === 0) return null;
  const anchor = layerAnchor(layer, zone);
  const t = DateTime.fromJSDate(at, { zone });
  if (t < anchor) return null;
  let index: number;
  if (layer.turnHours % 24 === 0) {
    // Local calendar days since the anchor's day; before today's hand-off time the previous day's turn holds.
    const days = Math.floor(t.startOf('day').diff(anchor.startOf('day'), 'days').days + 0.5);
    const handoffToday = localAt(zone, t, layer.handoffTime);
    const effective = t < handoffToday ? days - 1 : days;
    index = Math.floor(effective / (layer.turnHours / 24));
  } else index = Math.floor(t.diff(anchor).as('hours') / layer.turnHours);
  // Guard against rounding at the edges: the found turn must contain `at`.
  while (index > 0 && turnStart(layer, zone, anchor, index) > t) index--;
  while (turnStart(layer, zone, anchor, index + 1) <= t) index++;
  const userId = layer.memberIds[index % layer.memberIds.length] as string;
  return { index, userId, start: turnStart(layer, zone, anchor, index).toJSDate(), end: turnStart(layer, zone, anchor, index + 1).toJSDate() };
}

/** Who is on call at `at`: an override's person, else the highest-ranked layer with someone on; null for nobody. */
export function onCallAt(layers: Layer[], overrides: Override[], zone: string, at: Date): { userId: string; layerId: string | null; overrideId: string | null } | null {
  const o = overrides.find((x) => x.startsAt <= at && at < x.endsAt);
  if (o) return { userId: o.userId, layerId: null, overrideId: o.id };
  for (const layer of [...layers].sort((a, b) => b.rank - a.rank)) {
    const turn = turnAt(layer, zone, at);
    if (turn) return { userId: turn.userId, layerId: layer.id, overrideId: null };
  }
  return null;
}

/**
 * The shifts between `from` and `to` (clipped to them), adjacent ones of the same person merged: the calendar and
 * the iCal feed. Computed from every moment something can change (a turn boundary of any layer, an override's
 * start or end), so it agrees with `onCallAt` by construction.
 */
export function shiftsBetween(layers: Layer[], overrides: Override[], zone: string, from: Date, to: Date): Shift[] {
  const points = new Set<number>([from.getTime(), to.getTime()]);
  for (const layer of layers) {
    if (layer.memberIds.length === 0) continue;
    const anchor = layerAnchor(layer, zone);
    if (anchor.toMillis() > from.getTime() && anchor.toMillis() < to.getTime()) points.add(anchor.toMillis());
    const turn = turnAt(layer, zone, from);
    let index = turn ? turn.index + 1 : 1;
    if (!turn && anchor.toMillis() >= to.getTime()) continue;
    for (let guard = 0; guard < 10_000; guard++, index++) {
      const start = turnStart(layer, zone, anchor, index).toMillis();
      if (start >= to.getTime()) break;
      if (start > from.getTime()) points.add(start);
    }
  }
  for (const o of overrides) {
    for (const p of [o.startsAt.getTime(), o.endsAt.getTime()]) if (p > from.getTime() && p < to.getTime()) points.add(p);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const shifts: Shift[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = new Date(sorted[i] as number);
    const end = new Date(sorted[i + 1] as number);
    const who = onCallAt(layers, overrides, zone, start);
    if (!who) continue;
    const last = shifts.at(-1);
    if (last && last.userId === who.userId && last.end.getTime() === start.getTime() && last.layerId === who.layerId && last.overrideId === who.overrideId) last.end = end;
    else shifts.push({ ...who, start, end });
  }
  return shifts;
}

/** Pairs of overrides in the list whose ranges overlap (touching ends do not). */
export function overlapping(overrides: Pick<Override, 'startsAt' | 'endsAt'>[], candidate: Pick<Override, 'startsAt' | 'endsAt'>): boolean {
  return overrides.some((o) => o.startsAt < candidate.endsAt && candidate.startsAt < o.endsAt);
}
