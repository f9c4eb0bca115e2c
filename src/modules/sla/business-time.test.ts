import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addBusinessMinutes, businessMinutesAgo, businessMinutesBetween, type CalendarSpec, isOpen, TWENTY_FOUR_SEVEN, validateCalendar } from './business-time.js';

const weekdays = (intervals: { start: string; end: string }[]) => ({ '1': intervals, '2': intervals, '3': intervals, '4': intervals, '5': intervals });
const everyDay = (intervals: { start: string; end: string }[]) => ({ ...weekdays(intervals), '6': intervals, '7': intervals });

// A Berlin office with a lunch break, closed at Christmas.
const berlin: CalendarSpec = {
  timeZone: 'Europe/Berlin',
  alwaysOpen: false,
  weekly: weekdays([
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '17:00' },
  ]),
  holidays: [
    { date: '2026-12-25', name: 'Christmas Day', yearly: true },
    { date: '2026-12-26', name: 'Boxing Day', yearly: true },
    { date: '2026-05-14', name: 'Company offsite', yearly: false },
  ],
  holidayRegion: null,
};
// New York, 9 to 5, with New York's public holidays from the date-holidays dataset.
const newYork: CalendarSpec = { timeZone: 'America/New_York', alwaysOpen: false, weekly: weekdays([{ start: '09:00', end: '17:00' }]), holidays: [], holidayRegion: { country: 'US', state: 'NY' } };
const berlinAllDay: CalendarSpec = { ...berlin, weekly: everyDay([{ start: '00:00', end: '24:00' }]), holidays: [] };
const newYorkAllDay: CalendarSpec = { ...newYork, weekly: everyDay([{ start: '00:00', end: '24:00' }]), holidayRegion: null };
// Sunday early hours in New York: the night clocks go forward, 01:00–04:00 lasts two hours.
const newYorkSundayNight: CalendarSpec = { ...newYork, weekly: { '7': [{ start: '01:00', end: '04:00' }] }, holidayRegion: null };

const cases: { name: string; cal: CalendarSpec; start: string; minutes: number; due: string }[] = [
  { name: 'inside one interval', cal: berlin, start: '2026-03-02T10:00:00+01:00', minutes: 60, due: '2026-03-02T11:00:00+01:00' },
  { name: 'across the lunch break', cal: berlin, start: '2026-03-02T11:30:00+01:00', minutes: 60, due: '2026-03-02T13:30:00+01:00' },
  { name: 'over a weekend', cal: berlin, start: '2026-03-06T16:00:00+01:00', minutes: 120, due: '2026-03-09T10:00:00+01:00' },
  { name: 'a start on Saturday waits for Monday', cal: berlin, start: '2026-03-07T10:00:00+01:00', minutes: 0, due: '2026-03-09T09:00:00+01:00' },
  { name: 'a start before opening', cal: berlin, start: '2026-03-02T06:15:00+01:00', minutes: 30, due: '2026-03-02T09:30:00+01:00' },
  { name: 'a start at lunch', cal: berlin, start: '2026-03-02T12:20:00+01:00', minutes: 10, due: '2026-03-02T13:10:00+01:00' },
  { name: 'a start at closing time', cal: berlin, start: '2026-03-02T17:00:00+01:00', minutes: 1, due: '2026-03-03T09:01:00+01:00' },
  { name: 'an exact fill lands on the next opening', cal: berlin, start: '2026-03-02T16:00:00+01:00', minutes: 60, due: '2026-03-03T09:00:00+01:00' },
  { name: 'a whole business day is 7 hours', cal: berlin, start: '2026-03-02T09:00:00+01:00', minutes: 7 * 60 + 1, due: '2026-03-03T09:01:00+01:00' },
  { name: 'a holiday run (Christmas, weekend)', cal: berlin, start: '2026-12-24T16:00:00+01:00', minutes: 120, due: '2026-12-28T10:00:00+01:00' },
  { name: 'a yearly holiday recurs', cal: berlin, start: '2027-12-24T16:00:00+01:00', minutes: 120, due: '2027-12-27T10:00:00+01:00' },
  { name: 'a one-off holiday does not', cal: berlin, start: '2026-05-13T16:00:00+02:00', minutes: 120, due: '2026-05-15T10:00:00+02:00' },
  { name: 'a one-off holiday, next year', cal: berlin, start: '2027-05-13T16:00:00+02:00', minutes: 120, due: '2027-05-14T10:00:00+02:00' },
  { name: 'into summer time (Berlin)', cal: berlin, start: '2026-03-27T16:00:00+01:00', minutes: 120, due: '2026-03-30T10:00:00+02:00' },
  { name: 'a 24-hour day loses an hour (Berlin, 29 March)', cal: berlinAllDay, start: '2026-03-28T12:00:00+01:00', minutes: 24 * 60, due: '2026-03-29T13:00:00+02:00' },
  { name: 'a day gains an hour (New York, 1 November)', cal: newYorkAllDay, start: '2026-10-31T12:00:00-04:00', minutes: 24 * 60, due: '2026-11-01T11:00:00-05:00' },
  { name: 'a DST week in New York', cal: newYork, start: '2026-03-06T16:00:00-05:00', minutes: 120, due: '2026-03-09T10:00:00-04:00' },
  { name: 'an interval the clocks skip through lasts two hours', cal: newYorkSundayNight, start: '2026-03-08T01:00:00-05:00', minutes: 150, due: '2026-03-15T01:30:00-04:00' },
  { name: 'a public holiday from the dataset (MLK Day)', cal: newYork, start: '2026-01-16T16:00:00-05:00', minutes: 120, due: '2026-01-20T10:00:00-05:00' },
  { name: '24/7 is plain arithmetic', cal: TWENTY_FOUR_SEVEN, start: '2026-03-07T23:30:00Z', minutes: 90, due: '2026-03-08T01:00:00Z' },
];

describe('business time: hand-checked deadlines', () => {
  for (const c of cases) {
    test(c.name, () => {
      const due = addBusinessMinutes(c.cal, new Date(c.start), c.minutes);
      assert.equal(due.toISOString(), new Date(c.due).toISOString());
    });
  }

  test('business minutes between two instants skip nights, lunch, weekends and holidays', () => {
    assert.equal(businessMinutesBetween(berlin, new Date('2026-03-06T16:00:00+01:00'), new Date('2026-03-09T10:00:00+01:00')), 120);
    assert.equal(businessMinutesBetween(berlin, new Date('2026-03-02T11:00:00+01:00'), new Date('2026-03-02T14:00:00+01:00')), 120);
    assert.equal(businessMinutesBetween(berlin, new Date('2026-12-24T08:00:00+01:00'), new Date('2026-12-27T23:00:00+01:00')), 420);
    assert.equal(businessMinutesBetween(berlin, new Date('2026-03-09T10:00:00+01:00'), new Date('2026-03-06T16:00:00+01:00')), 0);
  });

  test('invalid calendars are described field by field', () => {
    const bad = validateCalendar({
      timeZone: 'Mars/Olympus_Mons',
      alwaysOpen: false,
      weekly: {
        '1': [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
        '2': [{ start: '17:00', end: '09:00' }],
        '3': [{ start: '9am', end: '5pm' }],
      },
      holidays: [{ date: '2026-02-30', name: 'Nope', yearly: false }],
      holidayRegion: { country: 'XX' },
    });
    const paths = bad.map((p) => p.path).sort();
    assert.deepEqual(paths, ['holidayRegion.country', 'holidays.0.date', 'timeZone', 'weekly.1.1', 'weekly.2.0', 'weekly.3.0']);
    assert.deepEqual(validateCalendar(berlin), []);
    assert.deepEqual(
      validateCalendar({ ...berlin, weekly: {} }).map((p) => p.path),
      ['weekly'],
    );
    assert.deepEqual(
      validateCalendar({ ...newYork, holidayRegion: { country: 'US', state: 'ZZ' } }).map((p) => p.path),
      ['holidayRegion.state'],
    );
  });
});

describe('business time: properties', () => {
  // Any instant in 2025–2028, at minute resolution, so DST changes and year ends are covered.
  const instant = fc.integer({ min: Date.UTC(2025, 0, 1) / 60_000, max: Date.UTC(2028, 11, 31) / 60_000 }).map((m) => new Date(m * 60_000));
  const minutes = fc.integer({ min: 0, max: 10_000 });
  const calendars = fc.constantFrom(berlin, newYork, berlinAllDay, newYorkAllDay, newYorkSundayNight, TWENTY_FOUR_SEVEN);

  test('adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, minutes, (cal, start, a, b) => {
        const stepwise = addBusinessMinutes(cal, addBusinessMinutes(cal, start, a), b);
        return stepwise.getTime() === addBusinessMinutes(cal, start, a + b).getTime();
      }),
      { numRuns: 300 },
    );
  });

  test('a deadline always falls inside business hours, and never before its start', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, (cal, start, m) => {
        const due = addBusinessMinutes(cal, start, m);
        return isOpen(cal, due) && due.getTime() >= start.getTime();
      }),
      { numRuns: 300 },
    );
  });

  test('the business minutes from a start to its deadline are the minutes added; more minutes never come sooner', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, minutes, (cal, start, a, b) => {
        const due = addBusinessMinutes(cal, start, a);
        const counted = Math.round(businessMinutesBetween(cal, start, due));
        const later = addBusinessMinutes(cal, start, a + b);
        return counted === a && later.getTime() >= due.getTime();
      }),
      { numRuns: 300 },
    );
  });

  test('"n business minutes ago" is the latest instant with n business minutes from it to now; earlier is never fewer', () => {
    fc.assert(
      fc.property(calendars, instant, minutes, fc.integer({ min: 1, max: 600 }), (cal, end, m, step) => {
        const edge = businessMinutesAgo(cal, end, m);
        const counted = Math.round(businessMinutesBetween(cal, edge, end));
        // A minute later (when that minute is business time) has less than m minutes left.
        const later = new Date(edge.getTime() + 60_000);
        const laterCount = Math.round(businessMinutesBetween(cal, later, end));
        const earlier = new Date(edge.getTime() - step * 60_000);
        return counted === m && edge.getTime() <= end.getTime() && (laterCount < m || m === 0 || !isOpen(cal, edge)) && businessMinutesBetween(cal, earlier, end) >= counted - 1e-9;
      }),
      { numRuns: 300 },
    );
  });

  test('business minutes ago, by hand: Monday 10:00 minus 2 business hours is Friday 16:00 (office 09–17)', () => {
    const office: CalendarSpec = { timeZone: 'UTC', alwaysOpen: false, weekly: Object.fromEntries([1, 2, 3, 4, 5].map((d) => [String(d), [{ start: '09:00', end: '17:00' }]])), holidays: [], holidayRegion: null };
    assert.equal(businessMinutesAgo(office, new Date('2026-03-16T10:00:00Z'), 120).toISOString(), '2026-03-13T16:00:00.000Z');
    assert.equal(businessMinutesAgo(office, new Date('2026-03-14T12:00:00Z'), 480).toISOString(), '2026-03-13T09:00:00.000Z', 'from a Saturday');
    assert.equal(businessMinutesAgo(TWENTY_FOUR_SEVEN, new Date('2026-03-14T12:00:00Z'), 90).toISOString(), '2026-03-14T10:30:00.000Z');
    assert.throws(() => businessMinutesAgo(office, new Date(), -1), RangeError);
  });
});
