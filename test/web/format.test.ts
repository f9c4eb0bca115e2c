import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIntervals, showIntervals } from '../../web/src/admin/intervals.js';
import { duration, fileSize, relativeTime } from '../../web/src/tickets/format.js';
import { chips, type SearchValues, suggest } from '../../web/src/tickets/search-suggest.js';
import { inWords } from '../../src/platform/field-messages.js';
import { show } from '../../web/src/reports/show.js';

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

describe("the search box's suggestions and chips", () => {
  const values: SearchValues = { status: ['new', 'open', 'pending'], priority: ['P1', 'P2'], assignee: ['me', 'none'], group: ['L1 helpdesk', 'L2'], org: ['Acme Health'], tag: ['sync'] };
  test('a bare word suggests the filters it starts; a filter suggests its values, quoted when they have spaces', () => {
    assert.deepEqual(suggest('login pri', values), [{ value: 'login priority:', token: 'priority:' }]);
    assert.deepEqual(suggest('status:o', values).map((s) => s.value), ['status:open ']);
    assert.deepEqual(suggest('p1 group:help', values), [{ value: 'p1 group:"L1 helpdesk" ', token: 'group:"L1 helpdesk"' }], 'contains, not only starts with');
    assert.deepEqual(suggest('organization:ac', values).map((s) => s.token), ['org:"Acme Health"'], 'aliases complete to the key');
    assert.deepEqual(suggest('colour:r', values), [], 'an unknown filter suggests nothing');
    assert.deepEqual(suggest('', values), []);
  });
  test('chips are the filters of a query, each removable', () => {
    assert.deepEqual(chips('status:open "cannot sync" group:"L1 helpdesk" https://x.org/a'), [
      { token: 'status:open', without: '"cannot sync" group:"L1 helpdesk" https://x.org/a' },
      { token: 'group:"L1 helpdesk"', without: 'status:open "cannot sync" https://x.org/a' },
    ]);
  });
});

describe('field errors in words (what forms show next to a field)', () => {
  test("the validator's raw text becomes what a person reads", () => {
    assert.equal(inWords('Too small: expected string to have >=1 characters'), 'at least 1 character');
    assert.equal(inWords('Too big: expected string to have <=200 characters'), 'at most 200 characters');
    assert.equal(inWords('Too small: expected number to be >=1'), 'at least 1');
    assert.equal(inWords('Too big: expected array to have <=20 items'), 'at most 20 items');
    assert.equal(inWords('Invalid input: expected string, received undefined'), 'required');
    assert.equal(inWords('Invalid input: expected boolean, received string'), 'must be true or false');
    assert.equal(inWords('Invalid option: expected one of "low"|"high"'), 'one of low, high');
    assert.equal(inWords('Invalid email address'), 'not a valid email address');
    assert.equal(inWords('expected YYYY-MM-DD'), 'expected YYYY-MM-DD', "a schema's own words pass through");
  });

  test('a report number in its unit: shares to a tenth (a difference of two is a float), seconds as s, min, h or d', () => {
    assert.equal(show(85.9 - 100, 'percent'), '-14.1 %');
    assert.equal(show(86.7, 'percent'), '86.7 %');
    assert.equal(show(90, 'seconds'), '90 s');
    assert.equal(show(6780, 'seconds'), '113 min');
    assert.equal(show(241_920, 'seconds'), '2.8 d');
  });
});
