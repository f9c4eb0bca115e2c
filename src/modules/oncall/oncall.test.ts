import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { renderCalendar } from './ical.js';

/** Schedules, overrides, feeds and escalation policies through the API, and every bad input they refuse. */
describe('on-call schedules and escalation policies', () => {
  let t: TestApp;
  let admin: Session;
  let ana: Session;
  let bo: Session;
  let customer: Session;
  let scheduleId: string;
  const layer = (memberIds: string[]) => ({ name: 'Weekly', memberIds, turnHours: 168, handoffTime: '09:00', handoffWeekday: 1, startsOn: '2026-02-23' });

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    ana = await t.signIn('agent', { name: 'Ana' });
    bo = await t.signIn('agent', { name: 'Bo' });
    customer = await t.signIn('customer');
  });
  after(() => t.close());

  test('a schedule with a weekly rotation says who is on now and at any moment, and draws its week', async () => {
    const res = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'PMERIT out of hours', timeZone: 'Europe/London', layers: [layer([ana.user.id, bo.user.id])] });
    assert.equal(res.status, 201, res.raw);
    scheduleId = res.body.id;
    // The clock is Monday 2 March 2026 09:00Z: the second turn (Bo) started at 09:00 London.
    assert.equal(res.body.onCallNow.name, 'Bo');
    assert.equal(res.body.shifts[0].name, 'Bo');
    assert.equal(res.body.shifts[0].start, '2026-03-02T09:00:00.000Z');
    assert.equal(res.body.feedToken, undefined, 'the feed token shows only inside the feed URL');
    const at = await t.as(ana).get(`/api/v1/oncall/schedules/${scheduleId}/on-call?at=2026-02-25T12:00:00Z`);
    assert.equal(at.body.onCall.name, 'Ana');
    const list = await t.as(ana).get('/api/v1/oncall/schedules');
    assert.equal(list.body.items[0].onCallNow.name, 'Bo');
    assert.equal((await t.as(customer).get('/api/v1/oncall/schedules')).status, 403);
  });

  test('"take my Tuesday": an override beats the rotation; an overlapping one is refused and changes nothing', async () => {
    const tuesday = { userId: ana.user.id, startsAt: '2026-03-03T00:00:00Z', endsAt: '2026-03-04T00:00:00Z', note: 'Bo has a dentist' };
    const res = await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/overrides`, tuesday);
    assert.equal(res.status, 201, res.raw);
    assert.equal((await t.as(bo).get(`/api/v1/oncall/schedules/${scheduleId}/on-call?at=2026-03-03T12:00:00Z`)).body.onCall.name, 'Ana');
    const before = await t.count('oncall_overrides');
    const clash = await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/overrides`, { ...tuesday, startsAt: '2026-03-03T20:00:00Z', endsAt: '2026-03-04T08:00:00Z' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'OVERRIDES_OVERLAP');
    assert.equal(clash.body.overlapsId, res.body.id);
    const backwards = await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/overrides`, { ...tuesday, startsAt: '2026-03-05T00:00:00Z', endsAt: '2026-03-04T00:00:00Z' });
    assert.equal(backwards.status, 400);
    const nobody = await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/overrides`, { ...tuesday, userId: customer.user.id, startsAt: '2026-03-10T00:00:00Z', endsAt: '2026-03-11T00:00:00Z' });
    assert.equal(nobody.status, 422);
    assert.equal(nobody.body.code, 'INVALID_REFERENCE');
    assert.equal(await t.count('oncall_overrides'), before);
    // Touching ends are not an overlap.
    assert.equal((await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/overrides`, { ...tuesday, startsAt: '2026-03-04T00:00:00Z', endsAt: '2026-03-04T06:00:00Z' })).status, 201);
    const week = await t.as(bo).get(`/api/v1/oncall/schedules/${scheduleId}?from=2026-03-02T09:00:00Z&to=2026-03-09T09:00:00Z`);
    assert.deepEqual(
      week.body.shifts.map((s: { name: string; start: string }) => [s.name, s.start]),
      [
        ['Bo', '2026-03-02T09:00:00.000Z'],
        ['Ana', '2026-03-03T00:00:00.000Z'],
        ['Ana', '2026-03-04T00:00:00.000Z'],
        ['Bo', '2026-03-04T06:00:00.000Z'],
      ],
    );
  });

  test('bad schedules: no members, an unknown time zone, an unknown person, a duplicate name — each its own error, nothing saved', async () => {
    const before = await t.count('oncall_schedules');
    const empty = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Empty', timeZone: 'UTC', layers: [layer([])] });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.code, 'SCHEDULE_HAS_NO_MEMBERS');
    const noLayers = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Empty', timeZone: 'UTC', layers: [] });
    assert.equal(noLayers.body.code, 'SCHEDULE_HAS_NO_MEMBERS');
    const zone = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Mars', timeZone: 'Mars/Olympus_Mons', layers: [layer([ana.user.id])] });
    assert.equal(zone.status, 422);
    assert.equal(zone.body.code, 'UNKNOWN_TIME_ZONE');
    const stranger = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Stranger', timeZone: 'UTC', layers: [layer([ana.user.id, customer.user.id])] });
    assert.equal(stranger.body.code, 'INVALID_REFERENCE');
    assert.equal(stranger.body.errors[0].path, 'body.layers.0.memberIds.1');
    const dup = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'pmerit OUT of hours', timeZone: 'UTC', layers: [layer([ana.user.id])] });
    assert.equal(dup.status, 409);
    const badTime = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Late', timeZone: 'UTC', layers: [{ ...layer([ana.user.id]), handoffTime: '25:00' }] });
    assert.equal(badTime.status, 400);
    assert.equal((await t.as(ana).post('/api/v1/oncall/schedules', { name: 'Mine', timeZone: 'UTC', layers: [layer([ana.user.id])] })).status, 403);
    assert.equal(await t.count('oncall_schedules'), before);
    const update = await t.as(admin).put(`/api/v1/oncall/schedules/${scheduleId}`, { name: 'PMERIT out of hours', timeZone: 'Nowhere/Else', layers: [layer([ana.user.id])] });
    assert.equal(update.body.code, 'UNKNOWN_TIME_ZONE');
    assert.equal((await t.as(ana).get(`/api/v1/oncall/schedules/${scheduleId}`)).body.timeZone, 'Europe/London', 'unchanged');
  });

  test('iCal feeds per schedule and per person work without a session, only with their token; a new link stops the old one', async () => {
    const s = await t.as(ana).get(`/api/v1/oncall/schedules/${scheduleId}`);
    assert.equal(s.body.feedUrl, undefined, 'a feed link is shown once, when made: only its hash is stored');
    assert.equal((await t.as(ana).post(`/api/v1/oncall/schedules/${scheduleId}/feed`, {})).status, 403, 'admins make schedule links');
    const made = await t.as(admin).post(`/api/v1/oncall/schedules/${scheduleId}/feed`, {});
    assert.equal(made.status, 201, made.raw);
    const feed = new URL(made.body.url);
    const token = feed.searchParams.get('token') as string;
    const stored = (await t.database.db.execute(`select feed_token_hash from oncall_schedules where id = '${scheduleId}'`)) as unknown as { rows: { feed_token_hash: string }[] };
    assert.equal(stored.rows[0]?.feed_token_hash, createHash('sha256').update(token).digest('hex'), 'the token is stored hashed, not as itself');
    const res = await t.as(null).get(feed.pathname + feed.search);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/calendar/);
    assert.match(res.raw, /^BEGIN:VCALENDAR\r\n/);
    assert.match(res.raw, /SUMMARY:On call: Ana\r\n/);
    assert.match(res.raw, /DTSTART:20260303T000000Z\r\n/, 'the override is in the feed');
    assert.equal((await t.as(null).get(`${feed.pathname}?token=wrong`)).status, 404);
    assert.equal((await t.as(null).get(feed.pathname)).status, 400);
    const rotated = new URL((await t.as(admin).post(`/api/v1/oncall/schedules/${scheduleId}/feed`, {})).body.url);
    assert.equal((await t.as(null).get(feed.pathname + feed.search)).status, 404, 'the old schedule link stops working');
    assert.equal((await t.as(null).get(rotated.pathname + rotated.search)).status, 200);

    assert.deepEqual((await t.as(ana).get('/api/v1/oncall/me/feed')).body, { exists: false });
    const mine = await t.as(ana).post('/api/v1/oncall/me/feed', {});
    assert.equal(mine.status, 201, mine.raw);
    const personal = new URL(mine.body.url);
    assert.deepEqual((await t.as(ana).get('/api/v1/oncall/me/feed')).body, { exists: true });
    const cal = await t.as(null).get(personal.pathname + personal.search);
    assert.equal(cal.status, 200);
    assert.match(cal.raw, /SUMMARY:On call: PMERIT out of hours/);
    assert.match(cal.raw.replace(/\r\n /g, ''), new RegExp(`UID:${ana.user.id}-${scheduleId}-\\d+@lifeline\r\n`), 'UIDs name the schedule by id');
    assert.doesNotMatch(cal.raw, /DTSTART:20260302T090000Z/, "Bo's shift is not in Ana's feed");
    const other = new URL(personal.toString());
    other.pathname = `/oncall/feed/person/${bo.user.id}.ics`;
    assert.equal((await t.as(null).get(other.pathname + other.search)).status, 404, "Ana's token does not open Bo's feed");
    const again = new URL((await t.as(ana).post('/api/v1/oncall/me/feed', {})).body.url);
    assert.notEqual(again.search, personal.search);
    assert.equal((await t.as(null).get(personal.pathname + personal.search)).status, 404, 'rotating stops the old personal link');
    assert.equal((await t.as(null).get(again.pathname + again.search)).status, 200);

    // Someone deactivated: their feed stops at once (it would keep telling a calendar their shifts).
    const cy = await t.signIn('agent', { name: 'Cy' });
    const cyFeed = new URL((await t.as(cy).post('/api/v1/oncall/me/feed', {})).body.url);
    assert.equal((await t.as(null).get(cyFeed.pathname + cyFeed.search)).status, 200);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${cy.user.id}`, { active: false })).status, 200);
    const gone = await t.as(null).get(cyFeed.pathname + cyFeed.search);
    assert.equal(gone.status, 404);
    assert.doesNotMatch(gone.raw, /VCALENDAR/);
  });

  test('iCal text and UIDs are escaped (RFC 5545): a schedule name cannot add lines or properties', () => {
    const cal = renderCalendar('Night; desk, "A"\\', [{ userId: 'u', start: new Date('2026-03-02T09:00:00Z'), end: new Date('2026-03-03T09:00:00Z'), layerId: null, overrideId: null, label: 'On call: A;B', uid: 'x\r\nATTENDEE:mailto:evil@example.org;y,z' }], new Date('2026-03-01T00:00:00Z'));
    assert.match(cal, /\r\nUID:x\\nATTENDEE:mailto:evil@example.org\\;y\\,z@lifeline\r\n/);
    assert.doesNotMatch(cal, /\r\nATTENDEE/);
    assert.match(cal, /X-WR-CALNAME:Night\\; desk\\, "A"\\\\\r\n/);
    assert.match(cal, /SUMMARY:On call: A\\;B\r\n/);
  });

  test('escalation policies: steps of people and schedules; one that loops to itself, directly or through another, is refused', async () => {
    const first = await t.as(admin).post('/api/v1/oncall/policies', {
      name: 'P0',
      repeat: 1,
      steps: [
        { delayMinutes: 60, targets: [{ type: 'schedule', id: scheduleId }] },
        { delayMinutes: 30, targets: [{ type: 'user', id: bo.user.id }] },
      ],
    });
    assert.equal(first.status, 201, first.raw);
    const second = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Management', steps: [{ delayMinutes: 30, targets: [{ type: 'policy', id: first.body.id }] }] });
    assert.equal(second.status, 201, second.raw);
    const self = await t.as(admin).put(`/api/v1/oncall/policies/${first.body.id}`, { ...first.body, steps: [...first.body.steps, { delayMinutes: 5, targets: [{ type: 'policy', id: first.body.id }] }] });
    assert.equal(self.status, 422);
    assert.equal(self.body.code, 'POLICY_LOOP');
    const loop = await t.as(admin).put(`/api/v1/oncall/policies/${first.body.id}`, { ...first.body, steps: [...first.body.steps, { delayMinutes: 5, targets: [{ type: 'policy', id: second.body.id }] }] });
    assert.equal(loop.body.code, 'POLICY_LOOP');
    assert.match(loop.body.detail ?? loop.body.title ?? loop.raw, /Management/);
    assert.equal((await t.as(ana).get('/api/v1/oncall/policies')).body.items.find((p: { id: string }) => p.id === first.body.id).steps.length, 2, 'unchanged');
    const unknown = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Ghost', steps: [{ delayMinutes: 5, targets: [{ type: 'schedule', id: '00000000-0000-4000-8000-000000000000' }] }] });
    assert.equal(unknown.body.code, 'INVALID_REFERENCE');
    assert.equal(unknown.body.errors[0].path, 'body.steps.0.targets.0.id');
    const noSteps = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Nothing', steps: [] });
    assert.equal(noSteps.status, 400);
    assert.equal(await t.count('oncall_policies'), 2);
  });

  test('hand-off: notes left for the next shift go to the incoming person in their summary, once', async () => {
    const note = await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/handoff-notes`, { body: 'The sync server restarts at 02:00; ignore one alert.' });
    assert.equal(note.status, 201);
    assert.equal((await t.as(bo).post(`/api/v1/oncall/schedules/${scheduleId}/handoff-notes`, { body: '  ' })).status, 400);
    // Monday 9 March 09:00 London: Ana's turn starts.
    t.clock.set('2026-03-09T09:00:30Z');
    const queued = await t.services.oncall.runHandoffs();
    assert.ok(queued >= 1);
    assert.equal(await t.services.oncall.runHandoffs(), 0, 'once per shift');
    const rows = await t.database.db.execute(`select user_id from oncall_handoffs where schedule_id = '${scheduleId}' and shift_start = '2026-03-09T09:00:00Z'`);
    assert.equal((rows as unknown as { rows: { user_id: string }[] }).rows[0]?.user_id, ana.user.id);
    assert.ok((await t.runJobs()) >= 1);
  });
  test('editing: a schedule\'s member order and hand-off time change who is on; a policy\'s steps and repeat are replaced; bad edits change nothing', async () => {
    // The clock is Monday 9 March 2026 09:00:30Z (London is on GMT): the third weekly turn since 23 February began.
    const made = await t.as(admin).post('/api/v1/oncall/schedules', { name: 'Edited', timeZone: 'Europe/London', layers: [layer([ana.user.id, bo.user.id])] });
    const id = made.body.id;
    assert.equal(made.body.onCallNow.name, 'Ana');
    const reordered = await t.as(admin).put(`/api/v1/oncall/schedules/${id}`, { name: 'Edited nights', timeZone: 'Europe/London', layers: [layer([bo.user.id, ana.user.id])] });
    assert.equal(reordered.status, 200, reordered.raw);
    assert.equal(reordered.body.name, 'Edited nights');
    assert.equal(reordered.body.onCallNow.name, 'Bo');
    // Hand-off at 10:00: the turn that began on 2 March (Ana's, in the new order) is still on.
    const later = await t.as(admin).put(`/api/v1/oncall/schedules/${id}`, { name: 'Edited nights', timeZone: 'Europe/London', layers: [{ ...layer([bo.user.id, ana.user.id]), handoffTime: '10:00' }] });
    assert.equal(later.body.onCallNow.name, 'Ana');
    assert.equal(later.body.layers[0].handoffTime, '10:00');
    const empty = await t.as(admin).put(`/api/v1/oncall/schedules/${id}`, { name: 'Edited nights', timeZone: 'Europe/London', layers: [layer([])] });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.code, 'SCHEDULE_HAS_NO_MEMBERS');
    assert.equal(empty.body.errors[0].path, 'body.layers');
    const kept = await t.as(ana).get(`/api/v1/oncall/schedules/${id}`);
    assert.deepEqual(kept.body.layers[0].memberIds, [bo.user.id, ana.user.id], 'the refused edit left the layers');
    assert.equal((await t.as(ana).put(`/api/v1/oncall/schedules/${id}`, { name: 'Mine', timeZone: 'UTC', layers: [layer([ana.user.id])] })).status, 403);

    const policy = (await t.as(admin).get('/api/v1/oncall/policies')).body.items.find((p: { name: string }) => p.name === 'Management');
    const edited = await t.as(admin).put(`/api/v1/oncall/policies/${policy.id}`, { name: 'Management', repeat: 2, steps: [{ delayMinutes: 10, targets: [{ type: 'user', id: bo.user.id }] }, { delayMinutes: 20, targets: [{ type: 'schedule', id }] }] });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.repeat, 2);
    assert.deepEqual(edited.body.steps.map((s: { delayMinutes: number }) => s.delayMinutes), [10, 20]);
    const badWait = await t.as(admin).put(`/api/v1/oncall/policies/${policy.id}`, { name: 'Management', repeat: 0, steps: [{ delayMinutes: 0, targets: [{ type: 'user', id: bo.user.id }] }] });
    assert.equal(badWait.status, 400);
    assert.equal((await t.as(ana).get('/api/v1/oncall/policies')).body.items.find((p: { id: string }) => p.id === policy.id).repeat, 2, 'unchanged');
  });
});
