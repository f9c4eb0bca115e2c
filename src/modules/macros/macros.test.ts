import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('macros', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let other: Session;
  let customer: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Priya Raman' });
    other = await t.signIn('agent');
    customer = await t.signIn('customer', { name: 'Jonas Berg' });
  });
  after(() => t.close());

  const byName = async (who: Session, name: string) => ((await t.as(who).get('/api/v1/macros')).body.items as any[]).find((m) => m.name === name);

  test("the handbook's templates are shared; one fills the composer for a ticket and its changes go with the reply", async () => {
    const names = ((await t.as(agent).get('/api/v1/macros')).body.items as any[]).map((m) => m.name);
    assert.deepEqual(names, ['Acknowledgement', 'Cannot reproduce', 'Need more information', 'Resolution notice']);
    const ticket = await t.make.ticket(customer, { subject: 'Charts are blank' });
    const macro = await byName(agent, 'Need more information');
    const rendered = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${macro.id}/render`);
    assert.equal(rendered.status, 200, rendered.raw);
    assert.match(rendered.body.body, /^Hi Jonas,/);
    assert.match(rendered.body.body, /Priya Raman$/);
    assert.deepEqual(rendered.body.changes, { status: 'pending' });
    // The composer sends the text with the state change as one message.
    const sent = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: rendered.body.body, public: rendered.body.public, status: rendered.body.changes.status });
    assert.equal(sent.status, 201, sent.raw);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'pending');
  });

  test("an agent's own macros are theirs; shared ones are the admins'", async () => {
    const mine = await t.as(agent).post('/api/v1/macros', { name: 'Sync checklist', body: 'Please open Settings → Sync, {{ ticket.requester.first_name }}.', changes: { addTags: ['sync'] } });
    assert.equal(mine.status, 201, mine.raw);
    assert.equal(mine.body.ownerId, agent.user.id);
    assert.equal(await byName(other, 'Sync checklist'), undefined, 'not visible to others');
    assert.equal((await t.as(other).patch(`/api/v1/macros/${mine.body.id}`, { name: 'Stolen' })).status, 404);
    const shared = await byName(agent, 'Acknowledgement');
    assert.equal((await t.as(agent).patch(`/api/v1/macros/${shared.id}`, { body: 'changed' })).status, 403);
    assert.equal((await t.as(agent).post('/api/v1/macros', { name: 'For all', body: 'x', shared: true })).status, 403);
    const byAdmin = await t.as(admin).post('/api/v1/macros', { name: 'Outage notice', body: 'We are aware of an outage.', shared: true });
    assert.equal(byAdmin.status, 201);
    assert.ok(await byName(other, 'Outage notice'));
    assert.equal((await t.as(customer).get('/api/v1/macros')).status, 403);
  });

  test('bad macros are refused with the field named', async () => {
    const template = await t.as(agent).post('/api/v1/macros', { name: 'Broken', body: 'Hi {{ ticket.requester.first_name | shout }}' });
    assert.equal(template.status, 422);
    assert.equal(template.body.errors[0].path, 'body.body');
    const state = await t.as(agent).post('/api/v1/macros', { name: 'Bad state', body: 'x', changes: { status: 'limbo' } });
    assert.equal(state.status, 422);
    assert.equal(state.body.errors[0].path, 'body.changes.status');
    const unknownChange = await t.as(agent).post('/api/v1/macros', { name: 'Bad change', body: 'x', changes: { colour: 'red' } });
    assert.equal(unknownChange.status, 400);
    const dup = await t.as(agent).post('/api/v1/macros', { name: 'sync CHECKLIST', body: 'x' });
    assert.equal(dup.status, 409);
  });
});
