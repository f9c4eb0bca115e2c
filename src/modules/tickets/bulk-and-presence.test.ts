import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('bulk actions and collision detection', () => {
  let t: TestApp;
  let agent: Session;
  let colleague: Session;
  let light: Session;
  let customer: Session;

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent', { name: 'Priya' });
    colleague = await t.signIn('agent', { name: 'Tom' });
    light = await t.signIn('light_agent');
    customer = await t.signIn('customer');
  });
  after(() => t.close());

  test('one change on many tickets: each is its own change with its own event, and a refusal is reported, not fatal', async () => {
    const a = await t.make.ticket(customer, { subject: 'A' });
    const b = await t.make.ticket(customer, { subject: 'B' });
    const closed = await t.make.ticket(customer, { subject: 'C' });
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${closed.id}/merge`, { targetId: b.id })).status, 200);
    const res = await t.as(agent).post('/api/v1/tickets/bulk', { ids: [a.id, b.id, closed.id], changes: { assigneeId: agent.user.id, addTags: ['triaged'] } });
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(
      res.body.items.map((i: { ok: boolean }) => i.ok),
      [true, true, false],
    );
    assert.ok(res.body.items[2].code, 'the refusal says why');
    for (const id of [a.id, b.id]) {
      const got = (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
      assert.equal(got.assigneeId, agent.user.id);
      assert.deepEqual(got.tags, ['triaged']);
      const events = (await t.as(agent).get(`/api/v1/tickets/${id}/events`)).body.items;
      assert.ok(events.some((e: { field: string; actorId: string }) => e.field === 'assignee' && e.actorId === agent.user.id));
    }
  });

  test('merging a selection folds every ticket into the chosen one', async () => {
    const target = await t.make.ticket(customer, { subject: 'Sync fails' });
    const dup1 = await t.make.ticket(customer, { subject: 'Sync fails again' });
    const dup2 = await t.make.ticket(customer, { subject: 'Still failing' });
    const res = await t.as(agent).post('/api/v1/tickets/bulk', { ids: [target.id, dup1.id, dup2.id], mergeIntoId: target.id });
    assert.equal(res.status, 200, res.raw);
    assert.ok(res.body.items.every((i: { ok: boolean }) => i.ok));
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${dup1.id}`)).body.statusCategory, 'merged');
    const conversation = (await t.as(agent).get(`/api/v1/tickets/${target.id}/messages`)).body.items;
    assert.equal(conversation.filter((m: { public: boolean }) => m.public).length, 3);
  });

  test('bad bulk requests are refused and change nothing', async () => {
    const a = await t.make.ticket(customer, { subject: 'Untouched' });
    const eventsBefore = await t.count('ticket_events');
    const cases: [unknown, number][] = [
      [{ ids: [], changes: { priority: 'P1' } }, 400],
      [{ ids: [a.id] }, 400],
      [{ ids: [a.id], changes: { priority: 'P1' }, mergeIntoId: a.id }, 400],
      [{ ids: ['not-a-uuid'], changes: { priority: 'P1' } }, 400],
      [{ ids: [a.id], changes: { version: 1, priority: 'P1' } }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await t.as(agent).post('/api/v1/tickets/bulk', body);
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.raw}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
    const unknownPriority = await t.as(agent).post('/api/v1/tickets/bulk', { ids: [a.id], changes: { priority: 'P9' } });
    assert.equal(unknownPriority.status, 200);
    assert.equal(unknownPriority.body.items[0].ok, false);
    assert.equal(unknownPriority.body.items[0].code, 'INVALID_REFERENCE');
    assert.equal(await t.count('ticket_events'), eventsBefore);
    assert.equal((await t.as(light).post('/api/v1/tickets/bulk', { ids: [a.id], changes: { priority: 'P1' } })).status, 403);
    assert.equal((await t.as(customer).post('/api/v1/tickets/bulk', { ids: [a.id], changes: { priority: 'P1' } })).status, 403);
  });

  test('agents on one ticket see each other, and who is typing; a viewer who goes quiet drops out', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Two agents' });
    const first = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/presence`, { typing: false });
    assert.equal(first.status, 200, first.raw);
    assert.deepEqual(first.body.items.map((p: { name: string }) => p.name), ['Priya']);
    const second = await t.as(colleague).post(`/api/v1/tickets/${ticket.id}/presence`, { typing: true });
    assert.deepEqual(
      second.body.items.map((p: { name: string; typing: boolean }) => [p.name, p.typing]).sort(),
      [
        ['Priya', false],
        ['Tom', true],
      ],
    );
    // By number too, the way the app's URLs name tickets.
    const seen = await t.as(agent).get(`/api/v1/tickets/${ticket.number}/presence`);
    assert.equal(seen.body.items.find((p: { name: string }) => p.name === 'Tom').typing, true);
    await t.as(colleague).post(`/api/v1/tickets/${ticket.id}/presence`, { leaving: true });
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${ticket.id}/presence`)).body.items.map((p: { name: string }) => p.name), ['Priya']);
    t.clock.advance(16_000);
    assert.deepEqual((await t.as(agent).get(`/api/v1/tickets/${ticket.id}/presence`)).body.items, []);
  });

  test('presence is for staff on tickets they may see', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Private' });
    assert.equal((await t.as(customer).post(`/api/v1/tickets/${ticket.id}/presence`, {})).status, 403);
    assert.equal((await t.as(agent).post('/api/v1/tickets/00000000-0000-4000-8000-000000000000/presence', {})).status, 404);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/presence`, { typing: 'yes' })).status, 400);
  });
});
