import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { rowsOf } from '../../db/client.js';
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

  test("moving a supervisor to another organisation ends their supervision: they do not see the new organisation's requests", async () => {
    const first = await t.make.organization();
    const second = await t.make.organization();
    const boss = await t.signIn('customer', { organizationId: first.id });
    const colleague = await t.signIn('customer', { organizationId: second.id });
    const theirs = await t.make.ticket(colleague, { subject: 'Second org private request' });
    assert.equal((await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationSupervisor: true })).status, 200);

    const moved = await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationId: second.id });
    assert.equal(moved.status, 200, moved.raw);
    assert.deepEqual([moved.body.organizationId, moved.body.organizationSupervisor], [second.id, false]);
    assert.equal((await t.as(boss).get(`/api/v1/tickets/${theirs.id}`)).status, 404, "the new organisation's requests stay hidden");
    assert.equal((await t.as(boss).get('/api/v1/portal/tickets?scope=organization')).body.code, 'NOT_A_SUPERVISOR');

    // Made supervisor of the new one in the same change: that is what the admin asked for.
    const both = await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationId: first.id, organizationSupervisor: true });
    assert.deepEqual([both.body.organizationId, both.body.organizationSupervisor], [first.id, true]);
    // Re-saving the same organisation keeps it; leaving every organisation ends it.
    assert.equal((await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationId: first.id, name: 'Boss' })).body.organizationSupervisor, true);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationId: null })).body.organizationSupervisor, false);

    // A supervisor of no organisation is refused, and nothing changes.
    const nowhere = await t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationSupervisor: true, name: 'Renamed' });
    assert.deepEqual([nowhere.status, nowhere.body.code, nowhere.body.errors?.[0]?.path], [422, 'SUPERVISOR_WITHOUT_ORGANIZATION', 'body.organizationSupervisor']);
    const after = (await t.as(admin).get(`/api/v1/users/${boss.user.id}`)).body;
    assert.deepEqual([after.name, after.organizationSupervisor], ['Boss', false]);
  });

  test('made supervisor while someone else moves them: the change that saw the old organisation is refused (409), it supervises nothing', { skip: !process.env.TEST_DATABASE_URL && 'needs a second connection (PostgreSQL server)' }, async () => {
    const first = await t.make.organization();
    const second = await t.make.organization();
    const boss = await t.signIn('customer', { organizationId: first.id });
    // Another admin's move holds the row: the PATCH reads the old organisation, then waits on the lock.
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from users where id = $1 for update', [boss.user.id]);
      const pending = t.as(admin).patch(`/api/v1/users/${boss.user.id}`, { organizationSupervisor: true });
      await new Promise((r) => setTimeout(r, 300));
      await other.query('update users set organization_id = $1 where id = $2', [second.id, boss.user.id]);
      await other.query('commit');
      const res = await pending;
      assert.deepEqual([res.status, res.body.code, res.body.errors?.[0]?.path], [409, 'VERSION_CONFLICT', 'body.organizationSupervisor'], res.raw);
    } finally {
      await other.end();
    }
    const now = (await t.as(admin).get(`/api/v1/users/${boss.user.id}`)).body;
    assert.deepEqual([now.organizationId, now.organizationSupervisor], [second.id, false]);
  });
});

describe('password reset', () => {
  const mailsTo = async (to: string) =>
    rowsOf<{ body_text: string }>(await t.database.db.execute(sql`select body_text from outbound_emails where kind = 'password_reset' and to_address = ${to} order by created_at desc, id desc`));
  const linkIn = (text: string | undefined) => /\/reset-password#token=([A-Za-z0-9_.-]+)/.exec(text ?? '')?.[1] as string;
  const canSignIn = async (email: string, password: string) => (await t.request('POST', '/api/v1/session', { email, password })).status === 200;
  const tamper = (token: string) => {
    const i = token.length - 3;
    return `${token.slice(0, i)}${token[i] === 'Q' ? 'R' : 'Q'}${token.slice(i + 1)}`;
  };

  test('forgot password: a signed, single-use, expiring link; the new password ends every session; bad links change nothing', async () => {
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@lifeline.example', name: 'Lifeline Help' })).status, 201);
    await t.services.people.createUser({ email: 'rosa@example.org', name: 'Rosa Diaz', role: 'agent', password: 'old password 123' });
    const session = await t.request('POST', '/api/v1/session', { email: 'rosa@example.org', password: 'old password 123' });
    const rosaCookie = { cookie: String(session.headers['set-cookie']).split(';')[0] as string };

    // The same answer for a person and for nobody; only the person gets mail.
    const asked = await t.request('POST', '/api/v1/password-reset/request', { email: 'Rosa@Example.org' });
    assert.equal(asked.status, 202, asked.raw);
    const nobody = await t.request('POST', '/api/v1/password-reset/request', { email: 'nobody@example.org' });
    assert.deepEqual([nobody.status, nobody.body.message], [202, asked.body.message]);
    assert.equal((await mailsTo('nobody@example.org')).length, 0);
    const token = linkIn((await mailsTo('rosa@example.org'))[0]?.body_text);
    assert.ok(token, 'the link was mailed');
    const stored = rowsOf<{ token_hash: string }>(await t.database.db.execute(sql`select token_hash from password_resets where token_hash is not null`));
    assert.ok(stored.every((r) => !token.includes(r.token_hash)), 'only a hash is stored');

    assert.equal((await t.request('POST', '/api/v1/password-reset/check', { token })).body.email, 'r…@example.org');
    // A password the first-run rules refuse changes nothing, and the link still works.
    const short = await t.request('POST', '/api/v1/password-reset', { token, password: 'short' });
    assert.equal(short.status, 400);
    assert.equal(short.body.errors?.[0]?.path, 'body.password');
    assert.ok(await canSignIn('rosa@example.org', 'old password 123'));
    // Forged: refused before any lookup.
    for (const forged of [tamper(token), 'nonsense', `${token.split('.')[0]}.`]) {
      const res = await t.request('POST', '/api/v1/password-reset', { token: forged, password: 'forged password 1' });
      assert.deepEqual([res.status, res.body.code], [404, 'RESET_LINK_INVALID']);
    }

    const done = await t.request('POST', '/api/v1/password-reset', { token, password: 'new password 456' });
    assert.equal(done.status, 204, done.raw);
    assert.equal((await t.request('GET', '/api/v1/me', undefined, rosaCookie)).status, 401, 'her other sessions ended');
    assert.ok(await canSignIn('rosa@example.org', 'new password 456'));
    assert.ok(!(await canSignIn('rosa@example.org', 'old password 123')));
    // Reused: refused, and the password stays.
    const again = await t.request('POST', '/api/v1/password-reset', { token, password: 'third password 789' });
    assert.deepEqual([again.status, again.body.code], [409, 'RESET_LINK_USED']);
    assert.equal((await t.request('POST', '/api/v1/password-reset/check', { token })).body.code, 'RESET_LINK_USED');

    // Expired after an hour: refused, nothing changes.
    t.clock.advance(16 * 60_000);
    assert.equal((await t.request('POST', '/api/v1/password-reset/request', { email: 'rosa@example.org' })).status, 202);
    const late = linkIn((await mailsTo('rosa@example.org'))[0]?.body_text);
    t.clock.advance(61 * 60_000);
    const expired = await t.request('POST', '/api/v1/password-reset', { token: late, password: 'late password 000' });
    assert.deepEqual([expired.status, expired.body.code], [410, 'RESET_LINK_EXPIRED']);
    assert.ok(await canSignIn('rosa@example.org', 'new password 456'));
  });

  test('forgot password is limited per address and per client, alike for unknown addresses', async () => {
    t.clock.advance(16 * 60_000);
    for (let i = 0; i < 3; i++) assert.equal((await t.request('POST', '/api/v1/password-reset/request', { email: 'ghost@example.org' })).status, 202);
    const limited = await t.request('POST', '/api/v1/password-reset/request', { email: 'ghost@example.org' });
    assert.deepEqual([limited.status, limited.body.code], [429, 'TOO_MANY_ATTEMPTS']);
    // Ten a client (127.0.0.1 here) in 15 minutes, over any addresses.
    for (let i = 0; i < 7; i++) assert.equal((await t.request('POST', '/api/v1/password-reset/request', { email: `ghost${i}@example.org` })).status, 202);
    const client = await t.request('POST', '/api/v1/password-reset/request', { email: 'ghost9@example.org' });
    assert.deepEqual([client.status, client.body.code], [429, 'TOO_MANY_ATTEMPTS']);
    assert.equal((await t.request('POST', '/api/v1/password-reset/request', { email: '' })).status, 400);
  });

  test('an admin sends a reset link; setting the password uses up older links; agents and deactivated people get none', async () => {
    const kim = await t.services.people.createUser({ email: 'kim@example.org', name: 'Kim Lee', role: 'agent', password: 'kims password 1' });
    const sent = await t.as(admin).post(`/api/v1/users/${kim.id}/password-reset`);
    assert.equal(sent.status, 202, sent.raw);
    assert.match(sent.body.message, /kim@example\.org/);
    const sentAgain = await t.as(admin).post(`/api/v1/users/${kim.id}/password-reset`);
    assert.equal(sentAgain.status, 202);
    const [newer, older] = (await mailsTo('kim@example.org')).map((m) => m.body_text);
    assert.match(older ?? '', new RegExp(`${admin.user.name} sent you this link`));
    assert.equal((await t.request('POST', '/api/v1/password-reset', { token: linkIn(newer), password: 'kims new password' })).status, 204);
    assert.equal((await t.request('POST', '/api/v1/password-reset', { token: linkIn(older), password: 'kims other password' })).body.code, 'RESET_LINK_USED');
    assert.ok(await canSignIn('kim@example.org', 'kims new password'));

    assert.equal((await t.as(agent).post(`/api/v1/users/${kim.id}/password-reset`)).status, 403);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${kim.id}`, { active: false })).status, 200);
    const inactive = await t.as(admin).post(`/api/v1/users/${kim.id}/password-reset`);
    assert.deepEqual([inactive.status, inactive.body.code], [422, 'USER_INACTIVE']);
    assert.equal((await t.as(admin).post('/api/v1/users/00000000-0000-0000-0000-000000000000/password-reset')).status, 404);
  });

  test('using a reset link ends a sign-in lockout, on the account and on the devices it signed in from', async () => {
    t.clock.advance(16 * 60_000);
    const email = 'locked@example.org';
    await t.services.people.createUser({ email, name: 'Lou Locked', role: 'agent', password: 'lous password 1' });
    const first = await t.request('POST', '/api/v1/session', { email, password: 'lous password 1' });
    const device = String(first.headers['set-cookie']).match(/lifeline_device=[^;]+/)?.[0] as string;
    assert.ok(device, 'a device cookie was given');
    const signIn = (password: string, headers: Record<string, string> = {}) => t.request('POST', '/api/v1/session', { email, password }, headers);
    // Guesses lock the account (LOGIN_MAX_FAILURES is 3 here), from anywhere and from her own browser.
    for (let i = 0; i < 4; i++) await signIn('a wrong guess');
    for (let i = 0; i < 4; i++) await signIn('a wrong guess', { cookie: device });
    assert.equal((await signIn('lous password 1')).body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal((await signIn('lous password 1', { cookie: device })).body.code, 'TOO_MANY_ATTEMPTS');

    // A forged or failed reset clears nothing.
    assert.equal((await t.request('POST', '/api/v1/password-reset', { token: 'forged.link', password: 'forged password 1' })).status, 404);
    assert.equal((await signIn('lous password 1')).body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal((await t.request('POST', '/api/v1/password-reset/request', { email })).status, 202);
    const token = linkIn((await mailsTo(email))[0]?.body_text);
    assert.equal((await t.request('POST', '/api/v1/password-reset', { token, password: 'short' })).status, 400);
    assert.equal((await signIn('lous password 1')).body.code, 'TOO_MANY_ATTEMPTS', 'a refused password clears nothing');

    assert.equal((await t.request('POST', '/api/v1/password-reset', { token, password: 'lous new password' })).status, 204);
    assert.equal((await signIn('lous new password', { cookie: device })).status, 200, 'her browser signs in at once');
    assert.equal((await signIn('lous new password')).status, 200, 'and so does any other');
  });

  test('links an admin sends are limited per person (by any admin) and per admin; over a limit nothing is sent', async () => {
    t.clock.advance(16 * 60_000);
    const [sender, other] = [await t.signIn('admin'), await t.signIn('admin')];
    const lee = await t.services.people.createUser({ email: 'lee@example.org', name: 'Lee Park', role: 'agent' });
    for (let i = 0; i < 3; i++) assert.equal((await t.as(sender).post(`/api/v1/users/${lee.id}/password-reset`)).status, 202);
    for (const who of [sender, other]) {
      const over = await t.as(who).post(`/api/v1/users/${lee.id}/password-reset`);
      assert.deepEqual([over.status, over.body.code], [429, 'TOO_MANY_ATTEMPTS'], over.raw);
      assert.match(over.body.detail, /Lee Park was sent 3 password reset links/);
    }
    assert.equal((await mailsTo('lee@example.org')).length, 3, 'nothing more was sent');

    // Per admin: 20 in the window, over any people (three went to Lee already).
    const people = await Promise.all(Array.from({ length: 18 }, (_, i) => t.services.people.createUser({ email: `bulk${i}@example.org`, name: `Bulk ${i}`, role: 'customer' })));
    for (const p of people.slice(0, 17)) assert.equal((await t.as(sender).post(`/api/v1/users/${p.id}/password-reset`)).status, 202);
    const last = people[17] as (typeof people)[number];
    const flood = await t.as(sender).post(`/api/v1/users/${last.id}/password-reset`);
    assert.deepEqual([flood.status, flood.body.code], [429, 'TOO_MANY_ATTEMPTS']);
    assert.match(flood.body.detail, /You sent 20 password reset links/);
    assert.equal((await mailsTo(last.email)).length, 0);
    assert.equal((await t.as(other).post(`/api/v1/users/${last.id}/password-reset`)).status, 202, 'another admin still can');
    // The window passes.
    t.clock.advance(16 * 60_000);
    assert.equal((await t.as(sender).post(`/api/v1/users/${lee.id}/password-reset`)).status, 202);
  });
});
