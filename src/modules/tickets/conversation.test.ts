import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
let agent: Session;
let light: Session;
let customer: Session;
let stranger: Session;

before(async () => {
  t = await startTestApp();
  agent = await t.signIn('agent');
  light = await t.signIn('light_agent');
  customer = await t.signIn('customer');
  stranger = await t.signIn('customer');
});
after(() => t.close());

describe('replies and notes', () => {
  test("the composer's preview renders a body as the conversation will show it, hostile parts removed", async () => {
    const res = await t.as(agent).post('/api/v1/messages/preview', { body: '**Fixed** in <script>alert(1)</script>[the release](https://example.org/r)\n- one' });
    assert.equal(res.status, 200, res.raw);
    assert.match(res.body.html, /<strong>Fixed<\/strong>/);
    assert.match(res.body.html, /<a href="https:\/\/example.org\/r"/);
    assert.doesNotMatch(res.body.html, /script|alert/);
    assert.match((await t.as(agent).post('/api/v1/messages/preview', { body: 'a <b>b</b>', format: 'text' })).body.html, /&lt;b&gt;/);
    assert.equal((await t.as(agent).post('/api/v1/messages/preview', { body: '' })).status, 400);
    assert.equal((await t.as(agent).post('/api/v1/messages/preview', { body: 'x', format: 'rtf' })).status, 400);
    assert.equal((await t.as(null).post('/api/v1/messages/preview', { body: 'x' })).status, 401);
  });

  test("an agent's first public reply opens a new ticket; a note does not", async () => {
    const tk = await t.make.ticket(customer);
    const note = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'checking logs', public: false });
    assert.equal(note.status, 201);
    assert.equal(note.body.ticket.status, 'new');
    const reply = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'We are on it' });
    assert.equal(reply.body.ticket.status, 'open');
  });

  test('submit as: a reply can set the state in the same change', async () => {
    const tk = await t.make.ticket(customer);
    const res = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'Can you send a screenshot?', status: 'pending' });
    assert.equal(res.status, 201);
    assert.equal(res.body.ticket.status, 'pending');
  });

  test("the requester's reply to a pending ticket reopens it; to a solved one reopens it too", async () => {
    const tk = await t.make.ticket(customer);
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'Which version?', status: 'pending' });
    const r1 = await t.as(customer).post(`/api/v1/tickets/${tk.id}/messages`, { body: '2.53' });
    assert.equal(r1.body.ticket.status, 'open');
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'solved' });
    const r2 = await t.as(customer).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'Still broken' });
    assert.equal(r2.body.ticket.status, 'open');
    assert.equal(r2.body.ticket.solvedAt, null);
  });

  test("a requester's reply to a closed ticket starts a linked follow-up", async () => {
    const tk = await t.make.ticket(customer);
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'solved' });
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'closed' });
    const res = await t.as(customer).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'It is back!' });
    assert.equal(res.status, 201);
    assert.equal(res.body.followUp, true);
    assert.notEqual(res.body.ticket.id, tk.id);
    assert.equal(res.body.ticket.followUpOfId, tk.id);
    assert.equal(res.body.ticket.requester.id, customer.user.id);
    assert.equal(res.body.ticket.links[0].targetTicketId, tk.id);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${tk.id}`)).body.status, 'closed');
    const agentReply = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'x' });
    assert.equal(agentReply.status, 422);
    assert.equal(agentReply.body.code, 'TICKET_CLOSED');
  });

  test('light agents add notes but not public replies; customers cannot add notes', async () => {
    const tk = await t.make.ticket(customer);
    assert.equal((await t.as(light).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'note', public: false })).status, 201);
    const pub = await t.as(light).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'reply', public: true });
    assert.equal(pub.status, 403);
    const cnote = await t.as(customer).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'sneaky', public: false });
    assert.equal(cnote.status, 403);
  });

  test('an empty message is a 400 and adds nothing', async () => {
    const tk = await t.make.ticket(customer);
    const before = await t.count('messages');
    const res = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: '' });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].path, 'body.body');
    assert.equal(await t.count('messages'), before);
  });

  test('a reply with a stale version is a 409 and adds nothing', async () => {
    const tk = await t.make.ticket(customer);
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P2' });
    const before = await t.count('messages');
    const res = await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'hello', version: tk.version });
    assert.equal(res.status, 409);
    assert.equal(await t.count('messages'), before);
  });
});

describe('what customers may see', () => {
  test('customers never see internal notes, nor their events', async () => {
    const tk = await t.make.ticket(customer);
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'SECRET internal analysis', public: false });
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'Public answer' });
    const asCustomer = await t.as(customer).get(`/api/v1/tickets/${tk.id}/messages`);
    assert.equal(asCustomer.status, 200);
    assert.equal(JSON.stringify(asCustomer.body).includes('SECRET'), false);
    assert.equal(asCustomer.body.items.length, 2);
    const asAgent = await t.as(agent).get(`/api/v1/tickets/${tk.id}/messages`);
    assert.equal(asAgent.body.items.length, 3);
    const events = await t.as(customer).get(`/api/v1/tickets/${tk.id}/events`);
    assert.ok(events.body.items.every((e: { public: boolean }) => e.public));
    assert.ok(events.body.items.length < (await t.as(agent).get(`/api/v1/tickets/${tk.id}/events`)).body.items.length);
  });

  test("another customer's ticket answers 404, for reads and writes alike", async () => {
    const tk = await t.make.ticket(customer);
    for (const res of [
      await t.as(stranger).get(`/api/v1/tickets/${tk.id}`),
      await t.as(stranger).get(`/api/v1/tickets/${tk.number}`),
      await t.as(stranger).get(`/api/v1/tickets/${tk.id}/messages`),
      await t.as(stranger).get(`/api/v1/tickets/${tk.id}/events`),
      await t.as(stranger).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'hi' }),
    ]) {
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'TICKET_NOT_FOUND');
    }
    const list = await t.as(stranger).get('/api/v1/tickets?limit=100');
    assert.equal(list.body.items.some((i: { id: string }) => i.id === tk.id), false);
  });

  test("an organisation that shares tickets lets its customers see each other's; one that does not, does not", async () => {
    const shared = await t.make.organization({ sharedTickets: true });
    const closed = await t.make.organization({ sharedTickets: false });
    const a = await t.signIn('customer', { organizationId: shared.id });
    const b = await t.signIn('customer', { organizationId: shared.id });
    const c = await t.signIn('customer', { organizationId: closed.id });
    const d = await t.signIn('customer', { organizationId: closed.id });
    const ta = await t.make.ticket(a);
    const tc = await t.make.ticket(c);
    // The organisation is the desk's field: staff see it, the customer's own answer does not carry it.
    const staff = await t.signIn('agent');
    assert.equal((await t.as(staff).get(`/api/v1/tickets/${ta.id}`)).body.organizationId, shared.id);
    assert.equal((await t.as(b).get(`/api/v1/tickets/${ta.id}`)).status, 200);
    assert.equal((await t.as(d).get(`/api/v1/tickets/${tc.id}`)).status, 404);
    assert.equal((await t.as(c).get(`/api/v1/tickets/${ta.id}`)).status, 404);
  });

  test('a follower (CC) sees the ticket', async () => {
    const cc = await t.signIn('customer');
    const tk = await t.make.ticket(agent, { requesterId: customer.user.id, followerIds: [cc.user.id] });
    assert.equal((await t.as(cc).get(`/api/v1/tickets/${tk.id}`)).status, 200);
    assert.deepEqual(tk.followerIds, [cc.user.id]);
  });
});

describe('custom fields', () => {
  test('values are validated per kind, and a required-on-solve field blocks solving until set', async () => {
    const admin = await t.signIn('admin');
    const f1 = await t.as(admin).post('/api/v1/custom-fields', { entity: 'ticket', key: 'environment', label: 'Environment', kind: 'dropdown', options: ['prod', 'staging'], requiredOnSolve: true });
    assert.equal(f1.status, 201);
    await t.as(admin).post('/api/v1/custom-fields', { entity: 'ticket', key: 'users_affected', label: 'Users affected', kind: 'number' });
    const bad = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', customFields: { environment: 'moon', users_affected: 'many', nope: 1 } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['body.customFields.environment', 'body.customFields.nope', 'body.customFields.users_affected']);
    const tk = await t.make.ticket(agent, { customFields: { users_affected: 40 } });
    const solve = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'solved' });
    assert.equal(solve.status, 422);
    assert.equal(solve.body.code, 'REQUIRED_ON_SOLVE');
    const ok = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'solved', customFields: { environment: 'prod' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.customFields, { users_affected: 40, environment: 'prod' });
    const dropdownWithout = await t.as(admin).post('/api/v1/custom-fields', { entity: 'ticket', key: 'x', label: 'X', kind: 'dropdown' });
    assert.equal(dropdownWithout.status, 400);
  });
});
