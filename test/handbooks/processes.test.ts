import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

// The handbooks in shared/seeds, modelled as data through the API an admin uses, and then run: the clocks,
// warnings, breaches, escalations and auto-closure each process asks for happen on time, once.

const at = (t: TestApp, iso: string) => t.clock.set(new Date(iso));
const eventFields = async (t: TestApp, ticketId: string, kind: string) =>
  rowsOf<{ field: string | null }>(await t.database.db.execute(sql`select field from ticket_events where ticket_id = ${ticketId} and kind = ${kind} order by id`)).map((r) => r.field);
const clocksOf = async (t: TestApp, who: Session, id: string) =>
  Object.fromEntries(((await t.as(who).get(`/api/v1/tickets/${id}/sla`)).body.items as { metric: string; dueAt: string | null; status: string }[]).map((c) => [c.metric, c]));
const ok = <R extends { status: number; raw: string }>(res: R, status = 201): R => {
  assert.equal(res.status, status, res.raw);
  return res;
};

describe('PMERIT: P0–P3 with response, update and resolution targets in business hours, L1 → L2 → L3 → management', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  const tier: Record<string, string> = {};

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Support agent' });
    customer = await t.signIn('customer', { name: 'Learner' });
    ok(await t.as(admin).post('/api/v1/priority-schemes/pmerit/activate'), 200);
    // The escalation path, top down, so each tier can name the next.
    let above: string | null = null;
    for (const name of ['Management', 'L3 senior engineers', 'L2 engineering', 'L1 support']) {
      const g = await t.make.group(name, name === 'L1 support' ? [agent] : [], above);
      tier[name] = g.id;
      above = g.id;
    }
    const hours = ok(await t.as(admin).post('/api/v1/calendars', { name: 'PMERIT hours', timeZone: 'America/New_York', weekly: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])) }));
    ok(
      await t.as(admin).post('/api/v1/sla-policies', {
        name: 'PMERIT priorities',
        calendarId: hours.body.id,
        targets: {
          P0: { first_response: 15, periodic_update: 30, resolution: 240 },
          P1: { first_response: 120, periodic_update: 180, resolution: 480 },
          P2: { first_response: 240, resolution: 2880 },
          P3: { first_response: 1440 },
        },
      }),
    );
    ok(
      await t.as(admin).post('/api/v1/automations', {
        name: 'P0 not acknowledged within an hour → management',
        condition: { all: [{ field: 'priority', op: 'is', value: 'P0' }, { field: 'status_category', op: 'is', value: 'new' }, { field: 'hours_since_created', op: 'gte', value: 1 }] },
        actions: [{ type: 'escalate', urgency: 'critical', toGroupId: tier.Management }],
      }),
    );
  });
  after(() => t.close());

  test('a P0 on a Monday morning: respond in 15 minutes, update every 30, breach recorded once, management paged after an hour', async () => {
    at(t, '2026-03-02T14:00:00Z'); // Monday 09:00 in New York
    const p0 = await t.make.ticket(customer, { subject: 'Site down for all learners' });
    ok(await t.as(agent).patch(`/api/v1/tickets/${p0.id}`, { priority: 'P0', groupId: tier['L1 support'] }), 200);
    let c = await clocksOf(t, agent, p0.id);
    assert.equal(c.first_response?.dueAt, '2026-03-02T14:15:00.000Z');
    assert.equal(c.resolution?.dueAt, '2026-03-02T18:00:00.000Z');
    at(t, '2026-03-02T14:16:00Z');
    await t.services.sla.sweep();
    await t.services.sla.sweep();
    assert.deepEqual(await eventFields(t, p0.id, 'sla_breached'), ['first_response']);
    at(t, '2026-03-02T15:00:30Z');
    await t.services.automations.sweep();
    const escalated = (await t.as(agent).get(`/api/v1/tickets/${p0.id}`)).body;
    assert.equal(escalated.groupId, tier.Management, 'straight to management, as the handbook says for P0');
    await t.services.automations.sweep();
    assert.equal((await eventFields(t, p0.id, 'escalated')).length, 1, 'once');
    // A reply starts the 30-minute update cadence.
    ok(await t.as(agent).post(`/api/v1/tickets/${p0.id}/messages`, { body: 'We are on it; next update in 30 minutes.', status: 'open' }));
    c = await clocksOf(t, agent, p0.id);
    assert.equal(c.periodic_update?.dueAt, '2026-03-02T15:30:30.000Z');
  });

  test('a P2 on Friday afternoon is due on Monday: business hours skip the weekend', async () => {
    at(t, '2026-03-06T20:00:00Z'); // Friday 15:00 in New York
    const p2 = await t.make.ticket(customer, { subject: 'Typo in the course page' });
    ok(await t.as(agent).patch(`/api/v1/tickets/${p2.id}`, { priority: 'P2' }), 200);
    const c = await clocksOf(t, agent, p2.id);
    assert.equal(c.first_response?.dueAt, '2026-03-09T15:00:00.000Z', 'two hours on Friday, two on Monday (DST has begun: 11:00 EDT)');
  });

  test('an agent escalates with the structured template; the tiers are followed in order and the top says so', async () => {
    const t1 = await t.make.ticket(customer, { subject: 'Certificates not generated' });
    ok(await t.as(agent).patch(`/api/v1/tickets/${t1.id}`, { groupId: tier['L1 support'] }), 200);
    const form = { impact: '30 learners blocked', tried: 'Regenerated one by hand', needed: 'A fix in the generator', urgency: 'high' };
    const expected = ['L2 engineering', 'L3 senior engineers', 'Management'];
    for (const name of expected) {
      const res = ok(await t.as(agent).post(`/api/v1/tickets/${t1.id}/escalate`, form), 200);
      assert.equal(res.body.groupId, tier[name]);
    }
    const top = await t.as(agent).post(`/api/v1/tickets/${t1.id}/escalate`, form);
    assert.equal(top.status, 422);
    assert.equal(top.body.code, 'CANNOT_ESCALATE');
    assert.equal((await eventFields(t, t1.id, 'escalated')).length, 3);
  });
});

describe('Kleros: "major" issues worked around the clock and escalated after an hour; everything else in business days', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let owners: { id: string };

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    const team = await t.make.group('Core team', [admin]);
    owners = await t.make.group('Product owners', [agent], team.id);
    const calendars = (await t.as(admin).get('/api/v1/calendars')).body.items as { id: string; name: string }[];
    const allDay = calendars.find((c) => c.name === '24/7')?.id;
    const office = calendars.find((c) => c.name === 'Office hours')?.id;
    ok(await t.as(admin).post('/api/v1/sla-policies', { name: 'Major', position: 1, condition: { field: 'tags', op: 'includes_any', value: ['major'] }, calendarId: allDay, targets: { P1: { first_response: 60, resolution: 1440 }, P4: { first_response: 60, resolution: 1440 } } }));
    ok(await t.as(admin).post('/api/v1/sla-policies', { name: 'Everything else', position: 2, calendarId: office, targets: { P4: { first_response: 480 } } }));
    ok(
      await t.as(admin).post('/api/v1/automations', {
        name: 'Major unacknowledged for an hour → core team',
        condition: { all: [{ field: 'tags', op: 'includes_any', value: ['major'] }, { field: 'status_category', op: 'is', value: 'new' }, { field: 'hours_since_created', op: 'gte', value: 1 }] },
        actions: [{ type: 'escalate', urgency: 'critical' }],
      }),
    );
  });
  after(() => t.close());

  test('on a Saturday a major issue is due within the hour and escalated after it; an ordinary one waits for Monday', async () => {
    at(t, '2026-03-07T10:00:00Z'); // Saturday
    const major = await t.make.ticket(agent, { subject: 'Court contract paused', requesterId: customer.user.id, tags: ['major'], groupId: owners.id });
    const ordinary = await t.make.ticket(agent, { subject: 'Typo in the docs', requesterId: customer.user.id, groupId: owners.id });
    assert.equal((await clocksOf(t, agent, major.id)).first_response?.dueAt, '2026-03-07T11:00:00.000Z');
    assert.equal((await clocksOf(t, agent, ordinary.id)).first_response?.dueAt, '2026-03-10T09:00:00.000Z', 'one business day: Monday 09–17, due as Tuesday opens');
    at(t, '2026-03-07T11:00:30Z');
    await t.services.sla.sweep();
    await t.services.automations.sweep();
    assert.deepEqual(await eventFields(t, major.id, 'sla_breached'), ['first_response']);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${major.id}`)).body.groupId !== owners.id, true, 'escalated up a tier');
    assert.deepEqual(await eventFields(t, ordinary.id, 'sla_breached'), []);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ordinary.id}`)).body.groupId, owners.id);
  });

  test('a stagnant ordinary issue is escalated after five days, once', async () => {
    at(t, '2026-03-09T09:00:00Z');
    const stale = await t.make.ticket(agent, { subject: 'Juror dashboard slow', requesterId: customer.user.id, groupId: owners.id, status: 'open' });
    at(t, '2026-03-14T09:01:00Z');
    await t.services.automations.sweep();
    await t.services.automations.sweep();
    assert.equal((await eventFields(t, stale.id, 'escalated')).length, 1);
  });
});

describe('CommCare: P1–P5 with written definitions, district → block → program helpdesks', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
  });
  after(() => t.close());

  test('the default scheme is CommCare P1–P5, each with its definition; helpdesk tiers escalate upward', async () => {
    const priorities = (await t.as(agent).get('/api/v1/priorities')).body.items as { key: string; definition: string }[];
    assert.deepEqual(
      priorities.map((p) => p.key),
      ['P1', 'P2', 'P3', 'P4', 'P5'],
    );
    assert.ok(priorities.every((p) => p.definition.length > 0), 'each priority says what it means');
    assert.match(priorities[0]?.definition ?? '', /blocker/);
    const program = await t.make.group('Program helpdesk', [admin]);
    const block = await t.make.group('Block helpdesk', [agent], program.id);
    const district = await t.make.group('District helpdesk', [agent], block.id);
    const ticket = await t.make.ticket(agent, { subject: 'Cannot register a pregnancy', requester: { email: 'flw@example.org' }, groupId: district.id, priority: 'P2' });
    const form = { impact: 'A village cannot register', tried: 'Reinstalled the app', needed: 'A look at the server logs', urgency: 'high' };
    assert.equal(ok(await t.as(agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form), 200).body.groupId, block.id);
    assert.equal(ok(await t.as(agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form), 200).body.groupId, program.id);
    // A "Pending Retro" state is just data over a fixed category.
    ok(await t.as(admin).post('/api/v1/states', { key: 'pending_retro', label: 'Pending Retro', category: 'on_hold' }));
    assert.equal(ok(await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { status: 'pending_retro' }), 200).body.statusCategory, 'on_hold');
  });
});
