import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enqueue } from '../../platform/jobs.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { AUTO_DECLARE } from '../incidents/auto-declare.js';

describe('triggers', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  let l2 = '';

  const make = async (body: Record<string, unknown>) => {
    const res = await t.as(admin).post('/api/v1/triggers', body);
    assert.equal(res.status, 201, res.raw);
    return res.body;
  };
  const get = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
  const notes = async (id: string, re: RegExp) => ((await t.as(agent).get(`/api/v1/tickets/${id}/messages`)).body.items as any[]).filter((m) => !m.public && re.test(m.bodyText));

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer', { name: 'Ama Owusu', email: 'ama@example.org' });
    l2 = (await t.make.group('L2', [admin])).id;
    await make({
      name: 'Outages are P1',
      position: 1,
      events: ['created'],
      condition: { field: 'subject', op: 'contains', value: 'outage' },
      actions: [
        { type: 'set', field: 'priority', value: 'P1' },
        { type: 'add_tags', tags: ['outage'] },
        { type: 'email', to: 'requester', subject: 'We are on it: {{ ticket.subject }}', body: 'Hello {{ ticket.requester.first_name }}, an engineer is looking at #{{ ticket.number }}.' },
      ],
    });
    // Fires on every update of a P1 and changes the ticket itself: without loop protection it would never stop.
    await make({ name: 'Note P1 updates', position: 2, events: ['updated'], condition: { field: 'priority', op: 'is', value: 'P1' }, actions: [{ type: 'add_tags', tags: ['p1-seen'] }, { type: 'note', body: 'P1 noted' }] });
    // Chained: only true after the first trigger's changes.
    await make({ name: 'Outage to L2', position: 3, events: ['created', 'updated'], condition: { field: 'tags', op: 'includes_all', value: ['outage'] }, actions: [{ type: 'set', field: 'group', value: l2 }] });
  });
  after(() => t.close());

  test('a new ticket that matches is changed, the requester is mailed, and chained triggers follow', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Total outage in the north region' });
    await t.runJobs();
    const after = await get(ticket.id);
    assert.equal(after.priority.key ?? after.priority, 'P1');
    assert.ok(after.tags.includes('outage'));
    assert.equal(after.groupId, l2, 'the chained trigger saw the first one\'s tag');
    const mail = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).find((m) => m.ticketId === ticket.id && /We are on it/.test(m.subject));
    assert.ok(mail, 'the requester was mailed');
    assert.deepEqual(mail.recipients, ['ama@example.org']);
    assert.match(mail.bodyText, /Hello Ama, an engineer is looking at #/);
    const other = await t.make.ticket(customer, { subject: 'Question about exports' });
    await t.runJobs();
    assert.equal((await get(other.id)).tags.length, 0, 'no match, no change');
  });

  test('a trigger never re-fires on its own changes, and a chain ends', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Slow dashboard' });
    await t.runJobs();
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { priority: 'P1' });
    await t.runJobs();
    assert.equal((await notes(ticket.id, /P1 noted/)).length, 1);
    assert.ok((await get(ticket.id)).tags.includes('p1-seen'));
    // Another change by a person is a new occasion.
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { addTags: ['customer-waiting'] });
    await t.runJobs();
    assert.equal((await notes(ticket.id, /P1 noted/)).length, 2);
  });

  test('bad triggers are refused with the field named', async () => {
    const before = await t.count('triggers');
    const bad = await t.as(admin).post('/api/v1/triggers', {
      name: 'Bad',
      events: ['created'],
      condition: { field: 'subject', op: 'gt', value: 3 },
      actions: [{ type: 'email', to: 'requester', subject: '{{ oops', body: 'x' }],
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: any) => e.path).sort(), ['body.actions.0.subject', 'body.condition.op']);
    assert.equal((await t.as(admin).post('/api/v1/triggers', { name: 'No events', events: [], actions: [{ type: 'note', body: 'x' }] })).status, 400);
    assert.equal((await t.as(admin).post('/api/v1/triggers', { name: 'Bad address', events: ['created'], actions: [{ type: 'email', to: 'not an address', subject: 'x', body: 'x' }] })).status, 400);
    assert.equal((await t.as(agent).post('/api/v1/triggers', { name: 'Mine', events: ['created'], actions: [{ type: 'note', body: 'x' }] })).status, 403);
    assert.equal(await t.count('triggers'), before);
  });

  test('declare_incident: a trigger declares an incident from the ticket (its priority\'s severity unless named), once per ticket, however often it fires or the job replays', async () => {
    const incidentsOf = async (id: string) => ((await t.as(agent).get(`/api/v1/tickets/${id}/incidents`)).body.items as { id: string; severity: string }[]);
    const rule = await make({ name: 'Fires declare incidents', events: ['created', 'updated'], condition: { field: 'subject', op: 'contains', value: 'datacenter fire' }, actions: [{ type: 'declare_incident' }] });
    const ticket = await t.make.ticket(agent, { subject: 'datacenter fire in hall B', priority: 'P2' });
    await t.runJobs();
    const [first, ...more] = await incidentsOf(ticket.id);
    assert.ok(first, 'no incident was declared');
    assert.deepEqual(more, []);
    assert.equal(first.severity, 'P2', "the ticket's priority's severity");
    const detail = (await t.as(agent).get(`/api/v1/incidents/${first.id}`)).body;
    assert.equal(detail.originTicketId, ticket.id);
    assert.match(detail.impact, /^Declared automatically by Trigger “Fires declare incidents” on ticket #\d+\.$/);
    // The trigger fires again on updates; the job is replayed (a worker that crashed after running it): still one.
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { addTags: ['hall-b'] });
    await t.runJobs();
    await enqueue(t.database.db, t.clock, AUTO_DECLARE, { ticketId: ticket.id, priority: 'P2', rule: 'Fires declare incidents' });
    await t.runJobs();
    assert.equal((await incidentsOf(ticket.id)).length, 1, 'declared twice for one ticket');
    // A named severity wins over the priority's.
    assert.equal((await t.as(admin).patch(`/api/v1/triggers/${rule.id}`, { actions: [{ type: 'declare_incident', severity: 'P1' }] })).status, 200);
    const other = await t.make.ticket(agent, { subject: 'second datacenter fire', priority: 'P3' });
    await t.runJobs();
    assert.deepEqual((await incidentsOf(other.id)).map((i) => i.severity), ['P1']);
    assert.equal((await t.as(admin).delete(`/api/v1/triggers/${rule.id}`)).status, 204);
  });

  test('declare_incident with a severity that is not one is refused, naming the field, and saves nothing', async () => {
    const before = await t.count('triggers');
    const res = await t.as(admin).post('/api/v1/triggers', { name: 'Bad severity', events: ['created'], actions: [{ type: 'note', body: 'x' }, { type: 'declare_incident', severity: 'P9' }] });
    assert.equal(res.status, 422, res.raw);
    assert.equal(res.body.errors[0].path, 'body.actions.1.severity');
    assert.equal((await t.as(admin).post('/api/v1/triggers', { name: 'Bad field', events: ['created'], actions: [{ type: 'declare_incident', severity: 'P1', extra: 1 }] })).status, 400);
    assert.equal(await t.count('triggers'), before);
  });
});
