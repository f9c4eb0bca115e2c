import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
let admin: Session;
let agent: Session;

before(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
  admin = await t.signIn('admin');
  agent = await t.signIn('agent');
});
after(() => t.close());

describe('sign-in and sessions', () => {
  test('signing in sets an HTTP-only SameSite cookie and returns a CSRF token; /me answers who I am', async () => {
    await t.services.people.createUser({ email: 'Sam@Example.org', name: 'Sam', role: 'agent', password: 'long enough pass' });
    const res = await t.request('POST', '/api/v1/session', { email: 'sam@example.org', password: 'long enough pass' });
    assert.equal(res.status, 200);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /lifeline_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.ok(res.body.csrfToken);
    assert.equal(res.body.user.passwordHash, undefined);
    const me = await t.request('GET', '/api/v1/me', undefined, { cookie: cookie.split(';')[0] as string });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'sam@example.org');
    assert.equal(me.body.csrfToken, res.body.csrfToken);
  });

  test('a wrong password is a 401 that does not say which part was wrong', async () => {
    const res = await t.request('POST', '/api/v1/session', { email: agent.user.email, password: 'nope nope nope' });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'INVALID_CREDENTIALS');
    const unknown = await t.request('POST', '/api/v1/session', { email: 'ghost@example.org', password: 'nope nope nope' });
    assert.equal(unknown.body.detail, res.body.detail);
  });

  test('repeated failures are rate limited, then allowed again after the window', async () => {
    const email = 'victim@example.org';
    await t.services.people.createUser({ email, name: 'V', role: 'agent', password: 'the real password' });
    for (let i = 0; i < 3; i++) assert.equal((await t.request('POST', '/api/v1/session', { email, password: 'guess guess' })).status, 401);
    const blocked = await t.request('POST', '/api/v1/session', { email, password: 'the real password' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.code, 'TOO_MANY_ATTEMPTS');
    t.clock.advance(16 * 60_000);
    assert.equal((await t.request('POST', '/api/v1/session', { email, password: 'the real password' })).status, 200);
  });

  test('cookie-authenticated writes need the CSRF token', async () => {
    const res = await t.request('POST', '/api/v1/tickets', { subject: 's', description: 'd' }, { cookie: agent.headers.cookie as string });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'CSRF_TOKEN_INVALID');
  });

  test('signing out ends the session', async () => {
    const s = await t.signIn('agent');
    assert.equal((await t.as(s).get('/api/v1/me')).status, 200);
    assert.equal((await t.as(s).delete('/api/v1/session')).status, 204);
    const me = await t.as(s).get('/api/v1/me');
    assert.equal(me.status, 401);
  });

  test('sessions expire', async () => {
    const s = await t.signIn('agent');
    t.clock.advance(t.config.sessionTtlMs + 1000);
    assert.equal((await t.as(s).get('/api/v1/me')).status, 401);
    t.clock.advance(-(t.config.sessionTtlMs + 1000));
  });

  test('no credentials is a 401 problem', async () => {
    const res = await t.request('GET', '/api/v1/tickets');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  test('a token is shown once, stored hashed, and works as Bearer within its scopes', async () => {
    const res = await t.as(agent).post('/api/v1/tokens', { name: 'script', scopes: ['tickets:read'] });
    assert.equal(res.status, 201);
    const token = res.body.token as string;
    assert.match(token, /^ll_/);
    const listed = await t.as(agent).get('/api/v1/tokens');
    assert.equal(JSON.stringify(listed.body).includes(token), false);
    const bearer = { authorization: `Bearer ${token}` };
    assert.equal((await t.request('GET', '/api/v1/tickets', undefined, bearer)).status, 200);
    const write = await t.request('POST', '/api/v1/tickets', { subject: 's', description: 'd' }, bearer);
    assert.equal(write.status, 403);
    assert.equal(write.body.code, 'INSUFFICIENT_SCOPE');
    // Bearer requests need no CSRF token.
    const rw = await t.as(agent).post('/api/v1/tokens', { name: 'rw', scopes: ['tickets:read', 'tickets:write'] });
    const created = await t.request('POST', '/api/v1/tickets', { subject: 's', description: 'd' }, { authorization: `Bearer ${rw.body.token}` });
    assert.equal(created.status, 201);
    assert.equal(created.body.channel, 'api');
  });

  test('a revoked or unknown token is refused', async () => {
    const res = await t.as(agent).post('/api/v1/tokens', { name: 'x', scopes: ['tickets:read'] });
    // Used first, so the server has it cached: revoking must still take effect at once.
    assert.equal((await t.request('GET', '/api/v1/tickets', undefined, { authorization: `Bearer ${res.body.token}` })).status, 200);
    assert.equal((await t.as(agent).delete(`/api/v1/tokens/${res.body.id}`)).status, 204);
    const after = await t.request('GET', '/api/v1/tickets', undefined, { authorization: `Bearer ${res.body.token}` });
    assert.equal(after.status, 401);
    assert.equal((await t.request('GET', '/api/v1/tickets', undefined, { authorization: 'Bearer ll_nonsense' })).status, 401);
  });

  test('only admins mint admin tokens; customers mint none', async () => {
    const res = await t.as(agent).post('/api/v1/tokens', { name: 'x', scopes: ['admin'] });
    assert.equal(res.status, 403);
    const customer = await t.signIn('customer');
    assert.equal((await t.as(customer).post('/api/v1/tokens', { name: 'x', scopes: ['tickets:read'] })).status, 403);
    assert.equal((await t.as(agent).post('/api/v1/tokens', { name: 'x', scopes: ['everything'] })).status, 400);
  });
});

describe('users, organisations and groups', () => {
  test('a customer whose email domain an organisation claims joins it', async () => {
    const org = await t.as(admin).post('/api/v1/organizations', { name: 'Acme', domains: ['acme.example'] });
    assert.equal(org.status, 201);
    const user = await t.as(agent).post('/api/v1/users', { email: 'jo@acme.example', name: 'Jo', role: 'customer' });
    assert.equal(user.status, 201);
    assert.equal(user.body.organizationId, org.body.id);
  });

  test('the requester picker finds people by the start of their email or of a word of their name', async () => {
    await t.as(admin).post('/api/v1/users', { email: 'grace.hopper@navy.example', name: 'Grace Hopper', role: 'customer' });
    await t.as(admin).post('/api/v1/users', { email: 'ada@engines.example', name: 'Ada Lovelace', role: 'customer' });
    await t.as(admin).post('/api/v1/users', { email: 'percent@odd.example', name: '100% Real', role: 'customer' });
    const find = async (q: string) => ((await t.as(agent).get(`/api/v1/users?role=customer&q=${encodeURIComponent(q)}`)).body.items as { name: string }[]).map((u) => u.name);
    assert.deepEqual(await find('grace'), ['Grace Hopper']);
    assert.deepEqual(await find('HOP'), ['Grace Hopper'], 'a later word of the name, any case');
    assert.deepEqual(await find('ada@'), ['Ada Lovelace']);
    assert.deepEqual(await find('%'), [], 'LIKE wildcards are literal');
    assert.deepEqual(await find('100%'), ['100% Real']);
    assert.equal((await t.as(agent).get('/api/v1/users?q=')).status, 400);
  });

  test('agents add customers but not staff; duplicates are a 409', async () => {
    const staff = await t.as(agent).post('/api/v1/users', { email: 'new-agent@example.org', name: 'N', role: 'agent' });
    assert.equal(staff.status, 403);
    const dup = await t.as(admin).post('/api/v1/users', { email: agent.user.email.toUpperCase(), name: 'Dup', role: 'customer' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'ALREADY_EXISTS');
    const bad = await t.as(admin).post('/api/v1/users', { email: 'not-an-email', name: 'X', role: 'boss' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['body.email', 'body.role']);
  });

  test('groups have members and an escalation target; members must be staff', async () => {
    const l2 = await t.as(admin).post('/api/v1/groups', { name: 'L2', memberIds: [agent.user.id] });
    assert.equal(l2.status, 201);
    const l1 = await t.as(admin).post('/api/v1/groups', { name: 'L1', escalatesToId: l2.body.id, memberIds: [agent.user.id, admin.user.id] });
    assert.equal(l1.status, 201);
    assert.equal(l1.body.escalatesToId, l2.body.id);
    assert.equal(l1.body.memberIds.length, 2);
    const customer = await t.signIn('customer');
    const bad = await t.as(admin).patch(`/api/v1/groups/${l1.body.id}`, { memberIds: [customer.user.id] });
    assert.equal(bad.status, 422);
    const self = await t.as(admin).patch(`/api/v1/groups/${l1.body.id}`, { escalatesToId: l1.body.id });
    assert.equal(self.status, 422);
    const again = await t.as(admin).get(`/api/v1/groups/${l1.body.id}`);
    assert.equal(again.body.memberIds.length, 2);
    assert.equal((await t.as(agent).post('/api/v1/groups', { name: 'L3' })).status, 403);
  });

  test('deactivating a user ends their sessions', async () => {
    const s = await t.signIn('agent');
    assert.equal((await t.as(s).get('/api/v1/me')).status, 200);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${s.user.id}`, { active: false })).status, 200);
    assert.equal((await t.as(s).get('/api/v1/me')).status, 401);
  });

  test('organisation profile fields are validated against their definitions and merged on update', async () => {
    const plan = await t.as(admin).post('/api/v1/custom-fields', { entity: 'organization', key: 'plan', label: 'Plan', kind: 'dropdown', options: ['pilot', 'enterprise'] });
    assert.equal(plan.status, 201);
    await t.as(admin).post('/api/v1/custom-fields', { entity: 'organization', key: 'account_owner', label: 'Account owner', kind: 'text' });
    const bad = await t.as(admin).post('/api/v1/organizations', { name: 'Profiled', customFields: { plan: 'gold' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.customFields.plan');
    const org = await t.as(admin).post('/api/v1/organizations', { name: 'Profiled', customFields: { plan: 'pilot' } });
    assert.equal(org.status, 201);
    const updated = await t.as(admin).patch(`/api/v1/organizations/${org.body.id}`, { customFields: { account_owner: 'Dana' } });
    assert.deepEqual(updated.body.customFields, { plan: 'pilot', account_owner: 'Dana' });
    const cleared = await t.as(admin).patch(`/api/v1/organizations/${org.body.id}`, { customFields: { plan: null } });
    assert.deepEqual(cleared.body.customFields, { account_owner: 'Dana' });
    // A ticket field key is not an organisation field.
    const wrongEntity = await t.as(admin).patch(`/api/v1/organizations/${org.body.id}`, { customFields: { environment: 'prod' } });
    assert.equal(wrongEntity.status, 422);
  });

  test('a PATCH changes only what it sends: the other fields keep their values', async () => {
    const org = await t.as(admin).post('/api/v1/organizations', { name: 'Keep Co', domains: ['keep.example.org'], notes: 'VIP', sharedTickets: true });
    assert.equal(org.status, 201, org.raw);
    const renamed = await t.as(admin).patch(`/api/v1/organizations/${org.body.id}`, { name: 'Keep Company' });
    assert.equal(renamed.status, 200, renamed.raw);
    assert.deepEqual([renamed.body.name, renamed.body.domains, renamed.body.notes, renamed.body.sharedTickets], ['Keep Company', ['keep.example.org'], 'VIP', true]);
    const l1 = await t.make.group('Keep L1', [agent]);
    const l2 = await t.make.group('Keep L2', [], null);
    await t.as(admin).patch(`/api/v1/groups/${l1.id}`, { escalatesToId: l2.id, description: 'First line' });
    const described = await t.as(admin).patch(`/api/v1/groups/${l1.id}`, { name: 'Keep First Line' });
    assert.equal(described.body.escalatesToId, l2.id);
    assert.equal(described.body.description, 'First line');
  });

  test('a customer sees their own organisation, and no other', async () => {
    const mine = await t.make.organization();
    const other = await t.make.organization();
    const c = await t.signIn('customer', { organizationId: mine.id });
    assert.equal((await t.as(c).get(`/api/v1/organizations/${mine.id}`)).status, 200);
    assert.equal((await t.as(c).get(`/api/v1/organizations/${other.id}`)).status, 404);
    assert.equal((await t.as(c).get('/api/v1/users')).status, 403);
  });
});
