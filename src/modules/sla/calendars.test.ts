import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('business-hours calendars over the API', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
  });
  after(() => t.close());

  const pmerit = {
    name: 'PMERIT support hours',
    timeZone: 'America/New_York',
    weekly: {
      '1': [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '17:00' },
      ],
      '2': [{ start: '09:00', end: '17:00' }],
      '3': [{ start: '09:00', end: '17:00' }],
      '4': [{ start: '09:00', end: '17:00' }],
      '5': [{ start: '09:00', end: '17:00' }],
    },
    holidays: [{ date: '2026-07-03', name: 'Summer shutdown', yearly: false }],
    holidayRegion: { country: 'us', state: 'ny' },
  };

  test('a fresh install has a 24/7 calendar and office hours', async () => {
    const list = await t.as(agent).get('/api/v1/calendars');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((c: any) => c.name),
      ['24/7', 'Office hours'],
    );
  });

  test('an admin models a team\'s hours; the preview answers "due when?" in business time', async () => {
    const created = await t.as(admin).post('/api/v1/calendars', pmerit);
    assert.equal(created.status, 201, created.raw);
    assert.deepEqual(created.body.holidayRegion, { country: 'US', state: 'NY' });
    const id = created.body.id;
    // Friday 16:00 plus two business hours: one on Friday, one on Monday — MLK Day is a New York holiday, so Tuesday.
    const due = await t.as(agent).get(`/api/v1/calendars/${id}/due?start=${encodeURIComponent('2026-01-16T16:00:00-05:00')}&minutes=120`);
    assert.equal(due.status, 200, due.raw);
    assert.equal(due.body.due, '2026-01-20T15:00:00.000Z');
    // Monday's lunch break counts for nothing.
    const lunch = await t.as(agent).get(`/api/v1/calendars/${id}/due?start=${encodeURIComponent('2026-03-02T11:30:00-05:00')}&minutes=60`);
    assert.equal(lunch.body.due, '2026-03-02T18:30:00.000Z');
    const holidays = await t.as(agent).get(`/api/v1/calendars/${id}/holidays?year=2026`);
    assert.ok(holidays.body.items.some((h: any) => h.date === '2026-07-03' && h.source === 'calendar'));
    assert.ok(holidays.body.items.some((h: any) => h.date === '2026-01-19' && h.source === 'region'));
    // Editing the hours changes the answer at once.
    await t.as(admin).patch(`/api/v1/calendars/${id}`, { holidayRegion: null });
    const again = await t.as(agent).get(`/api/v1/calendars/${id}/due?start=${encodeURIComponent('2026-01-16T16:00:00-05:00')}&minutes=120`);
    assert.equal(again.body.due, '2026-01-19T15:00:00.000Z');
  });

  test('invalid calendars are refused with the field named, and nothing is saved', async () => {
    const before = await t.count('business_calendars');
    const overlap = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'Overlap', weekly: { '1': [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '17:00' }] } });
    assert.equal(overlap.status, 422);
    assert.equal(overlap.body.code, 'INVALID_CALENDAR');
    assert.equal(overlap.body.errors[0].path, 'body.weekly.1.1');
    const backwards = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'Backwards', weekly: { '2': [{ start: '17:00', end: '09:00' }] } });
    assert.match(backwards.body.errors[0].message, /before it starts/);
    const zone = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'Zone', timeZone: 'Europe/Atlantis' });
    assert.equal(zone.body.errors[0].path, 'body.timeZone');
    const region = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'Region', holidayRegion: { country: 'ZZ' } });
    assert.equal(region.body.errors[0].path, 'body.holidayRegion.country');
    const badDay = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'Day', weekly: { '8': [{ start: '09:00', end: '17:00' }] } });
    assert.equal(badDay.status, 400);
    const noHours = await t.as(admin).post('/api/v1/calendars', { name: 'Empty', timeZone: 'UTC' });
    assert.equal(noHours.body.errors[0].path, 'body.weekly');
    const dup = await t.as(admin).post('/api/v1/calendars', { ...pmerit, name: 'office HOURS' });
    assert.equal(dup.status, 409);
    assert.equal(await t.count('business_calendars'), before);
    const [office] = (await t.as(agent).get('/api/v1/calendars')).body.items.filter((c: any) => c.name === 'Office hours');
    const badPatch = await t.as(admin).patch(`/api/v1/calendars/${office.id}`, { alwaysOpen: false, weekly: {} });
    assert.equal(badPatch.status, 422);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}`)).body.weekly['1'][0].start, '09:00', 'unchanged');
  });

  test('bad preview input and access', async () => {
    const [office] = (await t.as(agent).get('/api/v1/calendars')).body.items.filter((c: any) => c.name === 'Office hours');
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=yesterday&minutes=10`)).status, 400);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=2026-01-01T00:00:00Z&minutes=-5`)).status, 400);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/00000000-0000-4000-8000-000000000000/due?start=2026-01-01T00:00:00Z&minutes=5`)).status, 404);
    // Seconds as well as minutes (a sum of business seconds): 90 s from 16:59:30 on a Monday is 30 s that day and
    // 60 s on Tuesday, 09:01:00. Both, or neither, is refused.
    const seconds = await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=2026-03-02T16:59:30Z&seconds=90`);
    assert.equal(seconds.status, 200, seconds.raw);
    assert.equal(seconds.body.due, '2026-03-03T09:01:00.000Z');
    assert.equal(seconds.body.seconds, 90);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=2026-03-02T16:59:30Z&seconds=90&minutes=1`)).status, 400);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=2026-03-02T16:59:30Z`)).status, 400);
    assert.equal((await t.as(agent).get(`/api/v1/calendars/${office.id}/due?start=2026-03-02T16:59:30Z&seconds=1.5`)).status, 400);
    assert.equal((await t.as(agent).post('/api/v1/calendars', { ...pmerit, name: 'Agent made' })).status, 403);
    const customer = await t.signIn('customer');
    assert.equal((await t.as(customer).get('/api/v1/calendars')).status, 403);
  });
});
