import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIntervals, showIntervals } from '../../web/src/admin/intervals.js';
import { duration, fileSize, relativeTime } from '../../web/src/tickets/format.js';

describe("the agent app's formatting", () => {
  const now = Date.parse('2026-03-02T12:00:00Z');
  test('relative times read like a person would say them', () => {
    assert.equal(relativeTime('2026-03-02T11:59:30Z', now), 'just now');
    assert.equal(relativeTime('2026-03-02T11:35:00Z', now), '25 min ago');
    assert.equal(relativeTime('2026-03-02T07:00:00Z', now), '5 h ago');
    assert.equal(relativeTime('2026-02-27T12:00:00Z', now), '3 d ago');
    assert.equal(relativeTime('2026-01-01T12:00:00Z', now), new Date('2026-01-01T12:00:00Z').toLocaleDateString());
  });
  test('SLA durations: minutes, hours and minutes, then days; overdue is shown without a sign', () => {
    assert.equal(duration(35), '35 min');
    assert.equal(duration(-35), '35 min');
    assert.equal(duration(130), '2 h 10 min');
    assert.equal(duration(120), '2 h');
    assert.equal(duration(72 * 60), '3 d');
  });
  test('file sizes', () => {
    assert.equal(fileSize(900), '900 B');
    assert.equal(fileSize(20_480), '20 KB');
    assert.equal(fileSize(5 * 1024 * 1024), '5.0 MB');
  });
  test('opening hours typed as "09:00-12:00, 13:00-17:00" round-trip; an empty day is closed', () => {
    assert.deepEqual(parseIntervals('09:00-12:00, 13:00-17:00'), [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ]);
    assert.deepEqual(parseIntervals(' '), []);
    assert.equal(showIntervals(parseIntervals('09:00 - 17:00')), '09:00-17:00');
  });
});
