import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { buildServices } from '../../app.js';
import { openDatabase, rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

/** The handbooks' time-based rules, shipped as defaults, on a fake clock. */
describe('automations', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let l1 = '';
  let l2 = '';

  const get = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
  const messages = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}/messages`)).body.items as any[];
  const sweep = async () => {
    const res = await t.as(admin).post('/api/v1/automations/sweep');
    assert.equal(res.status, 200, res.raw);
    return res.body.fired as number;
  };

  before(async () => {
    // The fake clock runs for weeks here; sessions must outlast it.
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer', { name: 'Amina Diallo' });
    l2 = (await t.make.group('L2', [admin])).id;
    l1 = (await t.make.group('L1', [agent], l2)).id;
  });
  after(() => t.close());

  test('the handbook defaults are installed and editable', async () => {
    const list = (await t.as(agent).get('/api/v1/automations')).body.items as any[];
    assert.deepEqual(
      list.map((a) => a.name),
      ['Remind the requester of a pending ticket', 'Solve a pending ticket with no reply', 'Escalate open tickets untouched for five days', 'Escalate P0/P1 not acknowledged within an hour'],
    );
  });

  test('pending with no reply: reminded once after three business days, solved after five', async () => {
    // The fake clock starts on Monday 09:00 UTC; the defaults count on "Office hours" (Mon–Fri 09–17 UTC).
    const ticket = await t.make.ticket(customer, { subject: 'Cannot log in' });
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Which browser do you use?', public: true, status: 'pending' });
    t.clock.advance(55 * HOUR + 59 * MINUTE); // Wednesday 16:59: 23 h 59 min of business time
    await sweep();
    assert.equal((await messages(ticket.id)).length, 2, 'not yet');
    t.clock.advance(2 * MINUTE); // Wednesday 17:01
    await sweep();
    await sweep();
    const reminders = (await messages(ticket.id)).filter((m) => m.author === null && m.public);
    assert.equal(reminders.length, 1, 'reminded once');
    assert.match(reminders[0].bodyText, /Hello Amina,/);
    assert.match(reminders[0].bodyText, new RegExp(`#${ticket.number}`));
    assert.equal((await get(ticket.id)).status, 'pending', 'a reminder does not change the state');
    // The reminder is mailed like an agent's reply.
    await t.runJobs();
    const mailed = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).filter((m) => m.ticketId === ticket.id && m.kind === 'reply');
    assert.equal(mailed.length, 2);
    t.clock.advance(47 * HOUR); // Friday 16:01: two more business days have not yet passed
    await sweep();
    assert.equal((await get(ticket.id)).status, 'pending');
    t.clock.advance(HOUR); // Friday 17:01
    await sweep();
    const solved = await get(ticket.id);
    assert.equal(solved.status, 'solved');
    assert.ok((await messages(ticket.id)).some((m) => !m.public && /Solved automatically/.test(m.bodyText)));
  });

  test('a weekend is not a business day: pending on Friday morning is reminded on Tuesday evening, not Monday', async () => {
    t.clock.set(new Date('2026-03-13T09:00:00Z')); // a Friday
    const ticket = await t.make.ticket(customer, { subject: 'Weekend' });
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Could you send a screenshot?', public: true, status: 'pending' });
    t.clock.set(new Date('2026-03-16T10:00:00Z')); // Monday: 72 calendar hours have passed, 9 business hours
    await sweep();
    assert.equal((await messages(ticket.id)).length, 2, 'calendar days would have reminded already');
    t.clock.set(new Date('2026-03-17T17:00:00Z')); // Tuesday 17:00: Friday, Monday and Tuesday
    await sweep();
    assert.equal((await messages(ticket.id)).length, 3);
  });

  test('an automation counts calendar hours unless it names a calendar; an unknown calendar is refused', async () => {
    const office = (await t.as(admin).get('/api/v1/calendars')).body.items.find((c: { name: string }) => c.name === 'Office hours').id;
    const defaults = (await t.as(admin).get('/api/v1/automations')).body.items as { name: string; calendarId: string | null }[];
    assert.equal(defaults.find((a) => a.name === 'Remind the requester of a pending ticket')?.calendarId, office);
    assert.equal(defaults.find((a) => a.name === 'Escalate P0/P1 not acknowledged within an hour')?.calendarId, null);
    const before = await t.count('automations');
    const bad = await t.as(admin).post('/api/v1/automations', {
      name: 'Nowhere',
      calendarId: '00000000-0000-4000-8000-000000000000',
      condition: { field: 'hours_since_created', op: 'gte', value: 1 },
      actions: [{ type: 'add_tags', tags: ['x'] }],
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors.find((e: { path: string }) => e.path === 'body.calendarId')?.message, 'no calendar with id 00000000-0000-4000-8000-000000000000');
    assert.equal(await t.count('automations'), before);
    const inUse = await t.as(admin).delete(`/api/v1/calendars/${office}`);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.code, 'IN_USE');
  });

  test('a requester who replies is not chased or solved', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Export' });
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Can you send the file?', public: true, status: 'pending' });
    t.clock.advance(48 * HOUR);
    await t.as(customer).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Attached.' });
    t.clock.advance(100 * HOUR);
    await sweep();
    const now = await get(ticket.id);
    assert.equal(now.statusCategory, 'open');
    assert.ok((await messages(ticket.id)).every((m) => m.author !== null));
  });

  test('stagnant open tickets and unacknowledged P1s go up a tier; a ticket with nowhere to go gets a note, once', async () => {
    const stale = await t.make.ticket(agent, { subject: 'Stale', groupId: l1, requesterId: customer.user.id, status: 'open' });
    const urgent = await t.make.ticket(agent, { subject: 'Site down', groupId: l1, requesterId: customer.user.id, priority: 'P1' });
    const top = await t.make.ticket(agent, { subject: 'Top', groupId: l2, requesterId: customer.user.id, status: 'open' });
    t.clock.advance(HOUR + 60_000);
    await sweep();
    assert.equal((await get(urgent.id)).groupId, l2, 'P1 unacknowledged for an hour');
    assert.equal((await get(stale.id)).groupId, l1, 'not yet stale');
    t.clock.advance(5 * 24 * HOUR);
    await sweep();
    await sweep();
    assert.equal((await get(stale.id)).groupId, l2);
    const events = rowsOf<{ to_value: any }>(await t.database.db.execute(sql`select to_value from ticket_events where ticket_id = ${stale.id} and kind = 'escalated'`));
    assert.equal(events.length, 1);
    assert.equal(events[0]?.to_value.by, 'automation');
    const notes = (await messages(top.id)).filter((m) => /could not escalate/.test(m.bodyText));
    assert.equal(notes.length, 1, 'the top tier is noted once, not every minute');
  });

  test('bad rules are refused with the field named, and nothing is saved', async () => {
    const before = await t.count('automations');
    const bad = await t.as(admin).post('/api/v1/automations', {
      name: 'Bad',
      condition: { all: [{ field: 'colour', op: 'is', value: 'red' }] },
      actions: [{ type: 'set', field: 'status', value: 'nirvana' }, { type: 'note', body: '{{ ticket.number | nope }}' }],
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'INVALID_RULE');
    assert.deepEqual(bad.body.errors.map((e: any) => e.path).sort(), ['body.actions.0.value', 'body.actions.1.body', 'body.condition', 'body.condition.all.0.field']);
    const noTime = await t.as(admin).post('/api/v1/automations', { name: 'No time', condition: { field: 'status', op: 'is', value: 'open' }, actions: [{ type: 'add_tags', tags: ['x'] }] });
    assert.match(noTime.body.errors[0].message, /hours_since/);
    const noActions = await t.as(admin).post('/api/v1/automations', { name: 'Empty', condition: { field: 'hours_since_created', op: 'gt', value: 1 }, actions: [] });
    assert.equal(noActions.status, 400);
    assert.equal(await t.count('automations'), before);
    assert.equal((await t.as(agent).post('/api/v1/automations/sweep')).status, 403);
  });

  test('two processes sweeping one PostgreSQL fire each rule on each ticket once', { skip: !process.env.TEST_DATABASE_URL && 'needs the PostgreSQL server (TEST_DATABASE_URL)' }, async () => {
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await t.make.ticket(agent, { subject: `Race ${i}`, groupId: l1, requesterId: customer.user.id, priority: 'P1' }));
    t.clock.advance(2 * HOUR);
    // A second "process": its own connections and services on the same database, the same clock.
    const other = await openDatabase({ url: t.databaseUrl as string });
    try {
      const services = buildServices(t.config, other, t.clock);
      await Promise.all([t.services.automations.sweep(), services.automations.sweep(), t.services.automations.sweep()]);
    } finally {
      await other.close();
    }
    for (const ticket of tickets) {
      const events = rowsOf(await t.database.db.execute(sql`select 1 from ticket_events where ticket_id = ${ticket.id} and kind = 'escalated'`));
      assert.equal(events.length, 1, ticket.subject);
      // A second firing would have tried to escalate again from the top tier and left a note.
      assert.equal((await messages(ticket.id)).filter((m) => /could not escalate/.test(m.bodyText)).length, 0, ticket.subject);
    }
  });
});
