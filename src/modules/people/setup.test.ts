import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { startTestApp, type TestApp } from '../../testing/harness.js';

const ADMIN = { email: 'first@example.org', name: 'First Admin', password: 'a long enough password' };

describe('first-run setup without a terminal', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await startTestApp();
    token = (await t.services.setup.prepare()) as string;
  });
  after(() => t.close());

  const setup = (body: Record<string, unknown>, from = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: body, remoteAddress: from }).then((r) => ({ status: r.statusCode, body: r.json(), headers: r.headers }));
  const admins = () => t.services.people.countUsers('admin');

  test('start writes a token only its owner can read, and a restart keeps the same one', async () => {
    assert.ok(token.length >= 40);
    const stat = fs.statSync(t.services.setup.tokenPath);
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal(await t.services.setup.prepare(), token);
    assert.deepEqual((await t.request('GET', '/api/v1/setup')).body, { needed: true });
  });

  test('a wrong token, a missing one or a short password is refused with its reason and creates nobody', async () => {
    const wrong = await setup({ ...ADMIN, token: `${token.slice(0, -1)}x` });
    assert.equal(wrong.status, 403);
    assert.match(wrong.body.detail, /setup token is wrong/);
    const missing = await setup({ ...ADMIN, token: '' });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body), /Paste the setup token/);
    const short = await setup({ ...ADMIN, password: 'short', token });
    assert.equal(short.status, 400);
    assert.match(JSON.stringify(short.body), /at least 10 characters/);
    assert.equal(await admins(), 0);
    assert.equal(await t.services.setup.prepare(), token, 'a refused attempt does not use the token up');
  });

  test('an address that keeps guessing is held back, even with the right token', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await setup({ ...ADMIN, token: `guess-${i}-${'x'.repeat(30)}` }, '10.9.9.9')).status, 403);
    const held = await setup({ ...ADMIN, token }, '10.9.9.9');
    assert.equal(held.status, 429);
    assert.equal(await admins(), 0);
    // IPv6: one subscriber holds a whole /64, so a fresh address per guess is still the same client.
    for (let i = 1; i <= 10; i++) assert.equal((await setup({ ...ADMIN, token: `guess-${i}-${'y'.repeat(30)}` }, `2001:db8:7:9::${i.toString(16)}`)).status, 403);
    const sameNet = await setup({ ...ADMIN, token }, '2001:db8:7:9:abcd::1');
    assert.equal(sameNet.status, 429, 'another address of the same /64 is held back');
    assert.equal(sameNet.body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal(await admins(), 0);
  });

  test('two setups at once make exactly one admin, who is signed in; then setup is refused for good', async () => {
    const [a, b] = await Promise.all([setup({ ...ADMIN, token }, '10.0.0.2'), setup({ ...ADMIN, email: 'second@example.org', token }, '10.0.0.3')]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
    assert.equal(await admins(), 1);
    const winner = a.status === 200 ? a : b;
    const cookie = String(winner.headers['set-cookie']).split(';')[0] as string;
    const me = await t.request('GET', '/api/v1/me', undefined, { cookie });
    assert.equal(me.status, 200);
    assert.equal(me.body.role, 'admin');
    assert.equal(fs.existsSync(t.services.setup.tokenPath), false, 'the token file is gone');
    assert.deepEqual((await t.request('GET', '/api/v1/setup')).body, { needed: false });
    const again = await setup({ ...ADMIN, email: 'third@example.org', token }, '10.0.0.4');
    assert.equal(again.status, 409);
    assert.equal(again.body.setupDone, true);
    assert.equal(await t.services.setup.prepare(), undefined, 'start prints no token once an admin exists');
    assert.equal(await admins(), 1);
    // Once done, a request is refused as done before it is counted: it neither fills the limiter nor says 429.
    for (let i = 0; i < 12; i++) assert.equal((await setup({ ...ADMIN, token }, '10.0.0.9')).status, 409);
  });
});

describe('first-run setup with the demo data', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('loads the same demo as `seed --demo`, and the new admin signs in with their own password', async () => {
    const token = (await t.services.setup.prepare()) as string;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...ADMIN, token, demo: true } });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(await t.services.people.findOrganizationByName('Acme Health'));
    assert.ok(await t.services.people.findUserByEmail('amina@lifeline.example'));
    assert.equal((await t.request('POST', '/api/v1/session', { email: ADMIN.email, password: ADMIN.password })).status, 200);
    // The demo's admin is no known login: its staff take the password the new admin chose, not the documented one.
    assert.equal((await t.request('POST', '/api/v1/session', { email: 'fatima@lifeline.example', password: 'demo-password-123' })).status, 401);
    assert.equal((await t.request('POST', '/api/v1/session', { email: 'fatima@lifeline.example', password: ADMIN.password })).status, 200);
  });

  test('the demo has a history: tickets over the last 30 days, answered and solved hours later, a small backlog, SLA breaches', async () => {
    // The seed ran on a clock of its own: the server's is where it was, and the history ends there.
    assert.equal(t.clock.now().toISOString(), '2026-03-02T09:00:00.000Z');
    const signIn = await t.request('POST', '/api/v1/session', { email: ADMIN.email, password: ADMIN.password });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const period = `from=${new Date(t.clock.now().getTime() - 30 * 86_400_000).toISOString()}&to=${t.clock.now().toISOString()}`;
    const report = async (metric: string, groupBy = 'none') => {
      const res = await t.request('GET', `/api/v1/reports/${metric}?${period}&groupBy=${groupBy}`, undefined, { cookie });
      assert.equal(res.status, 200, res.raw);
      return res.body as { values: Record<string, number | null>; groups: unknown[] };
    };
    assert.equal((await report('tickets_created')).values.tickets, 300);
    assert.ok((await report('tickets_created', 'day')).groups.length >= 25, 'created on most days of the month, not at one instant');
    const firstResponse = (await report('first_response_time')).values;
    assert.ok((firstResponse.p50 ?? 0) >= 15 * 60 && (firstResponse.p50 ?? 0) <= 12 * 3600, `first response median ${firstResponse.p50} s`);
    const resolution = (await report('full_resolution_time')).values;
    assert.ok((resolution.p50 ?? 0) >= 3600 && (resolution.p50 ?? 0) <= 7 * 86_400, `resolution median ${resolution.p50} s`);
    const backlog = (await report('backlog')).values.tickets ?? 0;
    assert.ok(backlog >= 5 && backlog < 90, `backlog ${backlog} of 300`);
    assert.ok(((await report('reopen_rate')).values.reopened ?? 0) >= 1, 'some tickets were reopened');
    const sla = (await report('sla_first_response')).values;
    assert.ok((sla.breached ?? 0) >= 1 && (sla.met ?? 0) > (sla.breached ?? 0), `first response met ${sla.met}, breached ${sla.breached}`);
    // A replay sends nothing now: no reply, notification or survey of the month's history is queued (a server on the
    // same database would run them while the seed goes on, and mail the demo's customers).
    const queued = await t.services.ctx.db.execute(sql`select kind, count(*)::int as n from jobs group by kind order by kind`);
    assert.deepEqual(rowsOf(queued), []);
  });
});
