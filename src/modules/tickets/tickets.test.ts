import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
let admin: Session;
let agent: Session;
let customer: Session;

before(async () => {
  t = await startTestApp();
  admin = await t.signIn('admin');
  agent = await t.signIn('agent');
  customer = await t.signIn('customer');
});
after(() => t.close());

describe('creating tickets', () => {
  test('an agent creates a ticket on behalf of a new requester; it gets a number, the default priority and a first message', async () => {
    const res = await t.as(agent).post('/api/v1/tickets', {
      subject: 'Phone: cannot log in',
      description: 'Caller says the **login** page spins.',
      requester: { email: 'caller@field.example', name: 'Field Worker' },
      channel: 'phone',
      tags: ['Login'],
    });
    assert.equal(res.status, 201);
    assert.ok(res.body.number >= 1001);
    assert.equal(res.body.status, 'new');
    assert.equal(res.body.priority.key, 'P4');
    assert.equal(res.body.channel, 'phone');
    assert.deepEqual(res.body.tags, ['login']);
    assert.equal(res.body.requester.email, 'caller@field.example');
    assert.equal(res.headers.etag, `"${res.body.version}"`);
    const msgs = await t.as(agent).get(`/api/v1/tickets/${res.body.id}/messages`);
    assert.equal(msgs.body.items.length, 1);
    assert.match(msgs.body.items[0].bodyHtml, /<strong>login<\/strong>/);
    const events = await t.as(agent).get(`/api/v1/tickets/${res.body.id}/events`);
    assert.deepEqual(events.body.items.map((e: { kind: string }) => e.kind), ['created', 'message_added']);
  });

  test('numbers are sequential', async () => {
    const a = await t.make.ticket(agent);
    const b = await t.make.ticket(agent);
    assert.equal(b.number, a.number + 1);
  });

  test('a ticket can be fetched by its number', async () => {
    const a = await t.make.ticket(agent);
    const res = await t.as(agent).get(`/api/v1/tickets/${a.number}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, a.id);
  });

  test('a customer creates a ticket as its requester, from the portal channel', async () => {
    const res = await t.as(customer).post('/api/v1/tickets', { subject: 'Export broken', description: 'PDF export fails.' });
    assert.equal(res.status, 201);
    assert.equal(res.body.requester.id, customer.user.id);
    assert.equal(res.body.channel, 'portal');
  });

  test('a customer cannot set staff-only fields', async () => {
    const before = await t.count('tickets');
    const res = await t.as(customer).post('/api/v1/tickets', { subject: 'x', description: 'y', assigneeId: agent.user.id });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'FORBIDDEN');
    assert.equal(await t.count('tickets'), before);
  });

  test('missing and invalid fields are a 400 with field errors, and nothing is created', async () => {
    const before = await t.count('tickets');
    const res = await t.as(agent).post('/api/v1/tickets', { subject: '', tags: 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.body.code, 'VALIDATION_FAILED');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    assert.ok(paths.includes('body.subject'), paths.join());
    assert.ok(paths.includes('body.description'), paths.join());
    assert.ok(paths.includes('body.tags'), paths.join());
    assert.equal(await t.count('tickets'), before);
  });

  test('an unknown priority, type or state names the allowed values', async () => {
    const before = await t.count('tickets');
    const p = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', priority: 'P9' });
    assert.equal(p.status, 422);
    assert.match(p.body.detail, /P1, P2, P3, P4, P5/);
    const ty = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', type: 'nonsense' });
    assert.equal(ty.status, 422);
    assert.match(ty.body.errors[0].message, /bug/);
    const st = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', status: 'closed' });
    assert.equal(st.status, 422);
    assert.equal(await t.count('tickets'), before);
  });

  test('an unknown group, organisation or requester is a 422 naming the field, and nothing is created', async () => {
    const before = { tickets: await t.count('tickets'), messages: await t.count('messages'), events: await t.count('ticket_events') };
    const ghost = '00000000-0000-4000-8000-000000000000';
    for (const [field, body] of [
      ['body.groupId', { groupId: ghost }],
      ['body.organizationId', { organizationId: ghost }],
      ['body.requesterId', { requesterId: ghost }],
      ['body.assigneeId', { assigneeId: ghost }],
    ] as const) {
      const res = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', ...body });
      assert.equal(res.status, 422, field);
      assert.equal(res.body.code, 'INVALID_REFERENCE');
      assert.equal(res.body.errors[0].path, field);
    }
    assert.deepEqual({ tickets: await t.count('tickets'), messages: await t.count('messages'), events: await t.count('ticket_events') }, before);
  });

  test('malformed JSON is a 400 and a wrong content type a 415', async () => {
    const bad = await t.request('POST', '/api/v1/tickets', '{"subject": ', { ...agent.headers, 'content-type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'MALFORMED_JSON');
    const wrong = await t.request('POST', '/api/v1/tickets', 'subject=x', { ...agent.headers, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrong.status, 415);
    assert.equal(wrong.body.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('an oversize body is a 413', async () => {
    const res = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'x'.repeat(t.config.maxJsonBytes + 10) });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
  });

  test('HTML descriptions are sanitised', async () => {
    const tk = await t.make.ticket(agent, { description: '<p onclick="x()">Hi<script>alert(1)</script><img src="https://x.example/a.png" onerror="y()"></p>', format: 'html' });
    const msgs = await t.as(agent).get(`/api/v1/tickets/${tk.id}/messages`);
    const html = msgs.body.items[0].bodyHtml as string;
    assert.doesNotMatch(html, /script|onclick|onerror/);
    assert.match(html, /<img src="https:\/\/x.example\/a.png"/);
  });
});

describe('updating tickets', () => {
  test('each changed field becomes an event with from and to, and the version goes up', async () => {
    const tk = await t.make.ticket(agent);
    const res = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P2', status: 'open', addTags: ['sync'], version: tk.version });
    assert.equal(res.status, 200);
    assert.equal(res.body.version, tk.version + 1);
    const events = (await t.as(agent).get(`/api/v1/tickets/${tk.id}/events`)).body.items.filter((e: { kind: string }) => e.kind === 'field_changed');
    const byField = Object.fromEntries(events.map((e: { field: string; fromValue: unknown; toValue: unknown }) => [e.field, [e.fromValue, e.toValue]]));
    assert.deepEqual(byField.priority, ['P4', 'P2']);
    assert.deepEqual(byField.status, ['new', 'open']);
    assert.deepEqual(byField.tags, [[], ['sync']]);
    assert.equal(events[0].actorId, agent.user.id);
  });

  test('a stale version is a 409 with the current ticket, and changes nothing', async () => {
    const tk = await t.make.ticket(agent);
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P3' });
    const res = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P1' }, { 'if-match': `"${tk.version}"` });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'VERSION_CONFLICT');
    assert.equal(res.body.current.priority.key, 'P3');
    // What happened since the version the caller had, so a client can show the other change.
    assert.deepEqual(
      res.body.changes.map((e: { field: string; fromValue: string; toValue: string; ticketVersion: number }) => [e.field, e.fromValue, e.toValue, e.ticketVersion]),
      [['priority', 'P4', 'P3', 2]],
    );
    const now = await t.as(agent).get(`/api/v1/tickets/${tk.id}`);
    assert.equal(now.body.priority.key, 'P3');
  });

  test('an invalid transition is a 422 naming the allowed ones', async () => {
    const tk = await t.make.ticket(agent);
    const res = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'closed' });
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'INVALID_TRANSITION');
    assert.deepEqual(res.body.allowed, ['new', 'open', 'pending', 'on_hold', 'solved']);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${tk.id}`)).body.status, 'new');
  });

  test('a closed ticket is final', async () => {
    const tk = await t.make.ticket(agent);
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'solved' });
    const closed = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'closed' });
    assert.equal(closed.status, 200);
    assert.ok(closed.body.closedAt);
    const reopen = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'open' });
    assert.equal(reopen.status, 422);
    assert.match(reopen.body.detail, /final/);
  });

  test('an assignee must be an active agent in the ticket group; moving group drops a non-member', async () => {
    const l1 = await t.make.group(`L1-${Date.now()}`, [agent]);
    const other = await t.signIn('agent');
    const l2 = await t.make.group(`L2-${Date.now()}`, [other]);
    const tk = await t.make.ticket(agent, { groupId: l1.id, assigneeId: agent.user.id });
    const bad = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { assigneeId: other.user.id });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.assigneeId');
    const toCustomer = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { groupId: null, assigneeId: customer.user.id });
    assert.equal(toCustomer.status, 422);
    const moved = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { groupId: l2.id });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.groupId, l2.id);
    assert.equal(moved.body.assigneeId, null);
  });

  test('unknown ticket ids are a 404', async () => {
    const res = await t.as(agent).patch('/api/v1/tickets/00000000-0000-4000-8000-000000000000', { priority: 'P1' });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'TICKET_NOT_FOUND');
    assert.equal((await t.as(agent).get('/api/v1/tickets/not-a-uuid')).status, 404);
    assert.equal((await t.as(agent).get('/api/v1/tickets/%25')).status, 404);
    assert.equal((await t.as(agent).get('/api/v1/tickets/%23999999')).status, 404);
  });

  test('customers and light agents cannot update tickets', async () => {
    const tk = await t.make.ticket(customer);
    assert.equal((await t.as(customer).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P1' })).status, 403);
    const light = await t.signIn('light_agent');
    assert.equal((await t.as(light).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P1' })).status, 403);
  });

  test('unknown fields in a patch are rejected', async () => {
    const tk = await t.make.ticket(agent);
    const res = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { number: 5 });
    assert.equal(res.status, 400);
  });
});

describe('states and priorities are data', () => {
  test('an admin adds "Pending retro" in on_hold; tickets can use it', async () => {
    const created = await t.as(admin).post('/api/v1/states', { key: 'pending_retro', label: 'Pending retro', category: 'on_hold' });
    assert.equal(created.status, 201);
    assert.equal(created.body.pausesSla, true);
    const tk = await t.make.ticket(agent);
    const res = await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { status: 'pending_retro' });
    assert.equal(res.status, 200);
    assert.equal(res.body.statusCategory, 'on_hold');
    assert.equal((await t.as(agent).post('/api/v1/states', { key: 'x', label: 'X', category: 'open' })).status, 403);
    assert.equal((await t.as(admin).post('/api/v1/states', { key: 'y', label: 'Y', category: 'merged' })).status, 400);
  });

  test('priorities come with their written definitions; the PMERIT scheme can be switched on', async () => {
    const res = await t.as(customer).get('/api/v1/priorities');
    assert.deepEqual(res.body.items.map((p: { key: string }) => p.key), ['P1', 'P2', 'P3', 'P4', 'P5']);
    assert.match(res.body.items[0].definition, /blocker/);
    const act = await t.as(admin).post('/api/v1/priority-schemes/pmerit/activate');
    assert.equal(act.status, 200);
    const now = await t.as(agent).get('/api/v1/priorities');
    assert.deepEqual(now.body.items.map((p: { key: string }) => p.key), ['P0', 'P1', 'P2', 'P3']);
    assert.match(now.body.items[0].expectedResponse, /30 minutes/);
    const tk = await t.make.ticket(agent, { priority: 'P0' });
    assert.equal(tk.priority.key, 'P0');
    await t.as(admin).post('/api/v1/priority-schemes/commcare/activate');
  });
});
