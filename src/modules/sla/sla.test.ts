import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/** SLA clocks on a fake clock, against the seeded office-hours calendar (UTC, Monday–Friday 09:00–17:00). */
describe('SLA policies and clocks', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let office = '';

  const clocks = async (ticketId: string) => {
    const res = await t.as(agent).get(`/api/v1/tickets/${ticketId}/sla`);
    assert.equal(res.status, 200, res.raw);
    return Object.fromEntries((res.body.items as any[]).map((c) => [c.metric, c])) as Record<string, any>;
  };
  const events = async (ticketId: string, kind: string) =>
    rowsOf<{ field: string }>(await t.database.db.execute(sql`select field from ticket_events where ticket_id = ${ticketId} and kind = ${kind} order by id`)).map((r) => r.field);
  const at = (iso: string) => t.clock.set(new Date(iso));

  before(async () => {
    // The fake clock runs for weeks here; sessions must outlast it.
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    office = (await t.as(agent).get('/api/v1/calendars')).body.items.find((c: any) => c.name === 'Office hours').id;
    const urgent = await t.as(admin).post('/api/v1/sla-policies', {
      name: 'Urgent',
      position: 1,
      condition: { field: 'priority', op: 'in', value: ['P1', 'P2'] },
      calendarId: office,
      targets: { P1: { first_response: 60, periodic_update: 120, resolution: 480 }, P2: { first_response: 120, resolution: 960 } },
    });
    assert.equal(urgent.status, 201, urgent.raw);
    const rest = await t.as(admin).post('/api/v1/sla-policies', { name: 'Everything else', position: 2, calendarId: office, targets: { P4: { first_response: 480 } } });
    assert.equal(rest.status, 201, rest.raw);
  });
  after(() => t.close());

  // Customers' tickets start at the default priority (P4); tests raise it as an agent would.
  const ticket = async () => (await t.make.ticket(customer, {})).id as string;
  const setPriority = (id: string, priority: string) => t.as(agent).patch(`/api/v1/tickets/${id}`, { priority });

  test('a P1 gets its targets in business time; the warning and the breach are recorded once each', async () => {
    at('2026-03-02T09:00:00Z');
    const id = await ticket();
    await setPriority(id, 'P1');
    let c = await clocks(id);
    assert.equal(c.first_response.dueAt, '2026-03-02T10:00:00.000Z');
    assert.equal(c.first_response.warnAt, '2026-03-02T09:45:00.000Z');
    // 480 minutes fill the day exactly: due at the next opening, the same business instant as 17:00.
    assert.equal(c.resolution.dueAt, '2026-03-03T09:00:00.000Z');
    assert.equal(c.periodic_update.dueAt, '2026-03-02T11:00:00.000Z');

    at('2026-03-02T09:46:00Z');
    await t.services.sla.sweep();
    assert.deepEqual(await events(id, 'sla_warning'), ['first_response']);
    at('2026-03-02T10:01:00Z');
    await t.services.sla.sweep();
    await t.services.sla.sweep();
    assert.deepEqual(await events(id, 'sla_breached'), ['first_response'], 'recorded once');
    c = await clocks(id);
    assert.equal(c.first_response.breachedAt, '2026-03-02T10:00:00.000Z');
    assert.equal(c.first_response.remainingMinutes, -1);

    // The first public reply meets first response (late) and restarts the update clock.
    at('2026-03-02T10:05:00Z');
    await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Looking at it now.', public: true });
    c = await clocks(id);
    assert.equal(c.first_response.status, 'achieved');
    assert.equal(c.first_response.achievedAt, '2026-03-02T10:05:00.000Z');
    assert.equal(c.periodic_update.dueAt, '2026-03-02T12:05:00.000Z');
  });

  test('a clock achieved or stopped past its deadline, before any sweep, records its breach then, once', async () => {
    at('2026-03-12T09:00:00Z');
    const id = await ticket();
    await setPriority(id, 'P1');
    // No sweep runs between the deadline (10:00) and the reply (10:30): the reply records the breach itself.
    at('2026-03-12T10:30:00Z');
    await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Sorry for the wait.', public: true });
    assert.deepEqual(await events(id, 'sla_breached'), ['first_response']);
    assert.deepEqual(await events(id, 'sla_met'), ['periodic_update'], 'first response was late, so not met');
    const breach = rowsOf<{ to_value: any }>(await t.database.db.execute(sql`select to_value from ticket_events where ticket_id = ${id} and kind = 'sla_breached'`))[0]?.to_value;
    assert.equal(breach.metric, 'first_response');
    assert.equal(breach.at, '2026-03-12T10:00:00.000Z');
    assert.equal(breach.dueAt, '2026-03-12T10:00:00.000Z');
    assert.equal(breach.targetMinutes, 60);
    assert.equal(breach.elapsedMinutes, 60);
    let c = await clocks(id);
    assert.equal(c.first_response.status, 'achieved');
    assert.equal(c.first_response.breachedAt, '2026-03-12T10:00:00.000Z');
    // Solved after resolution's deadline (next day 09:00), again with no sweep in between: resolution is breached
    // by the solve; the update clock, overdue too, is breached as it stops.
    at('2026-03-13T10:00:00Z');
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'solved' })).status, 200);
    assert.deepEqual((await events(id, 'sla_breached')).sort(), ['first_response', 'periodic_update', 'resolution']);
    // Later sweeps, and a reopen that runs resolution again, add nothing.
    await t.services.sla.sweep();
    at('2026-03-13T11:00:00Z');
    await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'Still broken.' });
    c = await clocks(id);
    assert.equal(c.resolution.status, 'running');
    at('2026-03-16T11:00:00Z');
    await t.services.sla.sweep();
    assert.deepEqual((await events(id, 'sla_breached')).sort(), ['first_response', 'periodic_update', 'resolution'], 'each once');
  });

  test('pending pauses the clock and keeps what had elapsed; a pause never shortens a deadline', async () => {
    at('2026-03-03T09:00:00Z');
    const id = await ticket();
    await setPriority(id, 'P2');
    assert.equal((await clocks(id)).first_response.dueAt, '2026-03-03T11:00:00.000Z');
    at('2026-03-03T09:30:00Z');
    await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'pending' });
    let c = await clocks(id);
    assert.equal(c.first_response.status, 'paused');
    assert.equal(c.first_response.dueAt, null);
    // Paused through the breach time: nothing is recorded.
    at('2026-03-03T12:00:00Z');
    await t.services.sla.sweep();
    assert.deepEqual(await events(id, 'sla_breached'), []);
    // The requester answers: the clock resumes with its 90 minutes left.
    at('2026-03-03T13:00:00Z');
    await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'Here are the logs.' });
    c = await clocks(id);
    assert.equal(c.first_response.status, 'running');
    assert.equal(c.first_response.dueAt, '2026-03-03T14:30:00.000Z');
  });

  test("a state's pausesSla decides whether the clocks stop in it; the policy decides which", async () => {
    // An admin's states: one in the open category that pauses, one in the pending category that does not.
    const vendor = await t.as(admin).post('/api/v1/states', { key: 'waiting_vendor', label: 'Waiting for vendor', category: 'open', pausesSla: true });
    assert.equal(vendor.status, 201, vendor.raw);
    const chasing = await t.as(admin).post('/api/v1/states', { key: 'pending_chasing', label: 'Pending, we chase', category: 'pending', pausesSla: false });
    assert.equal(chasing.status, 201, chasing.raw);
    at('2026-03-23T09:00:00Z');
    const id = await ticket();
    await setPriority(id, 'P2');
    at('2026-03-23T09:30:00Z');
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'waiting_vendor' })).status, 200);
    let c = await clocks(id);
    // The Urgent policy names no pauses for the open category: a state that pauses stops every clock.
    assert.equal(c.first_response.status, 'paused');
    assert.equal(c.resolution.status, 'paused');
    assert.equal(c.first_response.dueAt, null);
    at('2026-03-23T10:30:00Z');
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'pending_chasing' })).status, 200);
    c = await clocks(id);
    // Pending, but the state does not pause: the clock runs on from the 30 minutes it had used.
    assert.equal(c.first_response.status, 'running');
    assert.equal(c.first_response.dueAt, '2026-03-23T12:00:00.000Z');
  });

  test('a priority change picks the policy again and retargets what is running', async () => {
    at('2026-03-04T09:00:00Z');
    const id = await ticket();
    assert.equal((await clocks(id)).first_response.dueAt, '2026-03-05T09:00:00.000Z', '480 business minutes under "Everything else"');
    at('2026-03-04T09:30:00Z');
    await setPriority(id, 'P1');
    const c = await clocks(id);
    assert.equal(c.first_response.targetMinutes, 60);
    assert.equal(c.first_response.dueAt, '2026-03-04T10:00:00.000Z', '30 minutes had elapsed');
  });

  test('outside business hours the clock waits for the opening', async () => {
    at('2026-03-06T16:30:00Z');
    const id = await ticket();
    await setPriority(id, 'P1');
    assert.equal((await clocks(id)).first_response.dueAt, '2026-03-09T09:30:00.000Z');
  });

  test('solving achieves resolution and stops the rest; reopening resumes resolution', async () => {
    at('2026-03-10T09:00:00Z');
    const id = await ticket();
    await setPriority(id, 'P1');
    at('2026-03-10T10:00:00Z');
    await t.as(agent).patch(`/api/v1/tickets/${id}`, { status: 'solved' });
    let c = await clocks(id);
    assert.equal(c.resolution.status, 'achieved');
    assert.equal(c.first_response.status, 'stopped');
    at('2026-03-10T11:00:00Z');
    await t.as(customer).post(`/api/v1/tickets/${id}/messages`, { body: 'It broke again.' });
    c = await clocks(id);
    assert.equal(c.resolution.status, 'running');
    // 60 of 480 minutes were used before solving; 420 remain: 11:00–17:00 today, then an hour tomorrow.
    assert.equal(c.resolution.dueAt, '2026-03-11T10:00:00.000Z');
  });

  test('two sweeps at once record each breach once', async () => {
    at('2026-03-11T09:00:00Z');
    const ids = [await ticket(), await ticket(), await ticket()];
    for (const id of ids) await setPriority(id, 'P1');
    at('2026-03-11T12:00:00Z');
    await Promise.all([t.services.sla.sweep(), t.services.sla.sweep(), t.services.sla.sweep()]);
    for (const id of ids) assert.deepEqual((await events(id, 'sla_breached')).sort(), ['first_response', 'periodic_update']);
  });

  test('changing a calendar recomputes the deadlines of the clocks counted on it', async () => {
    const cal = await t.as(admin).post('/api/v1/calendars', { name: 'Recompute hours', timeZone: 'UTC', weekly: { '1': [{ start: '09:00', end: '17:00' }], '2': [{ start: '09:00', end: '17:00' }] } });
    const policy = await t.as(admin).post('/api/v1/sla-policies', {
      name: 'Recompute',
      position: 0,
      condition: { field: 'tags', op: 'includes_any', value: ['recompute'] },
      calendarId: cal.body.id,
      targets: { P4: { first_response: 60 } },
    });
    assert.equal(policy.status, 201, policy.raw);
    at('2026-03-16T09:00:00Z');
    const ticket = await t.make.ticket(agent, { subject: 'Recompute me', tags: ['recompute'], requesterId: customer.user.id });
    assert.equal((await clocks(ticket.id)).first_response.dueAt, '2026-03-16T10:00:00.000Z');
    at('2026-03-16T09:10:00Z');
    // The team now starts at 10:00: the hour the clock ran from 09:00 no longer counts.
    const changed = await t.as(admin).patch(`/api/v1/calendars/${cal.body.id}`, { weekly: { '1': [{ start: '10:00', end: '17:00' }], '2': [{ start: '10:00', end: '17:00' }] } });
    assert.equal(changed.status, 200, changed.raw);
    // A ticket command right after the change reads the new hours inside its transaction (on PGlite a read
    // outside it would wait for it forever).
    const next = await t.make.ticket(agent, { subject: 'After the change', tags: ['recompute'], requesterId: customer.user.id });
    assert.equal((await clocks(next.id)).first_response.dueAt, '2026-03-16T11:00:00.000Z');
    await t.runJobs();
    assert.equal((await clocks(ticket.id)).first_response.dueAt, '2026-03-16T11:00:00.000Z');
    await t.as(admin).delete(`/api/v1/sla-policies/${policy.body.id}`);
  });

  test('invalid policies are refused with the field named; agents and customers cannot edit them', async () => {
    const before = await t.count('sla_policies');
    const bad = await t.as(admin).post('/api/v1/sla-policies', {
      name: 'Bad',
      calendarId: '00000000-0000-4000-8000-000000000000',
      condition: { all: [{ field: 'colour', op: 'is', value: 'red' }, { field: 'tags', op: 'is', value: 'x' }] },
      targets: { P9: { first_response: 10 } },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'INVALID_POLICY');
    assert.deepEqual(bad.body.errors.map((e: any) => e.path).sort(), ['body.calendarId', 'body.condition.all.0.field', 'body.condition.all.1.op', 'body.targets.P9']);
    const zero = await t.as(admin).post('/api/v1/sla-policies', { name: 'Zero', calendarId: office, targets: { P1: { first_response: 0 } } });
    assert.equal(zero.status, 400);
    assert.equal(await t.count('sla_policies'), before);
    assert.equal((await t.as(agent).post('/api/v1/sla-policies', { name: 'Mine', calendarId: office, targets: {} })).status, 403);
    const id = (await t.as(agent).get('/api/v1/tickets')).body.items[0].id;
    assert.equal((await t.as(customer).get(`/api/v1/tickets/${id}/sla`)).status, 403);
  });
});
