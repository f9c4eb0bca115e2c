import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTimeZone, type Layer, onCallAt, shiftsBetween, turnAt } from './rotation.js';

const zone = 'Europe/Amsterdam';
// PMERIT's weekly rotation: Monday 09:00 local, three engineers.
const weekly: Layer = { id: 'w', rank: 0, memberIds: ['ana', 'bo', 'cy'], turnHours: 168, handoffTime: '09:00', handoffWeekday: 1, startsOn: '2026-03-18' };

describe('who is on call (pure)', () => {
  test('a weekly rotation starts on the first hand-off weekday and turns every Monday 09:00 local', () => {
    assert.equal(turnAt(weekly, zone, new Date('2026-03-22T12:00:00Z')), null, 'before the first turn nobody');
    const first = turnAt(weekly, zone, new Date('2026-03-23T08:00:00Z'));
    assert.equal(first?.userId, 'ana');
    assert.equal(first?.start.toISOString(), '2026-03-23T08:00:00.000Z', '09:00 CET');
    assert.equal(turnAt(weekly, zone, new Date('2026-03-23T07:59:59Z')), null);
  });

  test('across the spring DST change the hand-off stays at 09:00 local (a 167-hour week)', () => {
    const turn = turnAt(weekly, zone, new Date('2026-03-30T07:00:00Z'));
    assert.equal(turn?.userId, 'bo', 'Monday 30 March 09:00 CEST is 07:00Z');
    assert.equal(turn?.start.toISOString(), '2026-03-30T07:00:00.000Z');
    assert.equal(turnAt(weekly, zone, new Date('2026-03-30T06:59:59Z'))?.userId, 'ana', '08:59:59 CEST: still the old turn');
    assert.equal((turn?.start.getTime() ?? 0) - new Date('2026-03-23T08:00:00Z').getTime(), 167 * 3600_000);
  });

  test('across the autumn DST change too (a 169-hour week), and the rotation wraps round', () => {
    const before = turnAt(weekly, zone, new Date('2026-10-26T07:59:00Z'));
    const after = turnAt(weekly, zone, new Date('2026-10-26T08:00:00Z'));
    assert.equal(after?.start.toISOString(), '2026-10-26T08:00:00.000Z', '09:00 CET again');
    assert.equal((before?.end.getTime() ?? 0) - (before?.start.getTime() ?? 0), 169 * 3600_000);
    assert.notEqual(before?.userId, after?.userId);
    // 31 weeks after 23 March: index 31 → 31 % 3 = 1.
    assert.equal(after?.userId, 'bo');
  });

  test('a 12-hour rotation counts real hours, even over the DST night', () => {
    const half: Layer = { id: 'h', rank: 0, memberIds: ['x', 'y'], turnHours: 12, handoffTime: '08:00', handoffWeekday: null, startsOn: '2026-03-28' };
    assert.equal(turnAt(half, zone, new Date('2026-03-28T07:00:00Z'))?.userId, 'x');
    assert.equal(turnAt(half, zone, new Date('2026-03-28T19:00:00Z'))?.userId, 'y');
    assert.equal(turnAt(half, zone, new Date('2026-03-29T07:00:00Z'))?.userId, 'x', '12 real hours later: 09:00 CEST');
  });

  test('the higher layer wins where it has someone; an override beats every layer', () => {
    const nights: Layer = { id: 'n', rank: 1, memberIds: ['night'], turnHours: 24, handoffTime: '18:00', handoffWeekday: null, startsOn: '2026-04-01' };
    const at = new Date('2026-04-02T10:00:00Z');
    assert.equal(onCallAt([weekly, nights], [], zone, at)?.userId, 'night');
    assert.equal(onCallAt([weekly], [], zone, at)?.userId, 'bo');
    const o = { id: 'o', userId: 'dee', startsAt: new Date('2026-04-02T00:00:00Z'), endsAt: new Date('2026-04-03T00:00:00Z') };
    assert.deepEqual(onCallAt([weekly, nights], [o], zone, at), { userId: 'dee', layerId: null, overrideId: 'o' });
    assert.equal(onCallAt([weekly, nights], [o], zone, new Date('2026-04-03T00:00:00Z'))?.userId, 'night', 'the end is exclusive');
  });

  test('shifts over a range agree with who is on at every moment and merge adjacent turns', () => {
    const o = { id: 'o', userId: 'dee', startsAt: new Date('2026-03-31T10:00:00Z'), endsAt: new Date('2026-03-31T20:00:00Z') };
    const shifts = shiftsBetween([weekly], [o], zone, new Date('2026-03-23T00:00:00Z'), new Date('2026-04-14T00:00:00Z'));
    assert.deepEqual(
      shifts.map((s) => [s.userId, s.start.toISOString(), s.end.toISOString()]),
      [
        ['ana', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z'],
        ['bo', '2026-03-30T07:00:00.000Z', '2026-03-31T10:00:00.000Z'],
        ['dee', '2026-03-31T10:00:00.000Z', '2026-03-31T20:00:00.000Z'],
        ['bo', '2026-03-31T20:00:00.000Z', '2026-04-06T07:00:00.000Z'],
        ['cy', '2026-04-06T07:00:00.000Z', '2026-04-13T07:00:00.000Z'],
        ['ana', '2026-04-13T07:00:00.000Z', '2026-04-14T00:00:00.000Z'],
      ],
    );
    for (let t = new Date('2026-03-23T00:00:00Z').getTime(); t < new Date('2026-04-14T00:00:00Z').getTime(); t += 3 * 3600_000 + 17 * 60_000) {
      const expected = onCallAt([weekly], [o], zone, new Date(t))?.userId;
      const found = shifts.find((s) => s.start.getTime() <= t && t < s.end.getTime())?.userId;
      assert.equal(found, expected, new Date(t).toISOString());
    }
  });

  test('time zones are IANA names', () => {
    assert.equal(isTimeZone('Europe/Amsterdam'), true);
    assert.equal(isTimeZone('Mars/Olympus'), false);
  });
});
