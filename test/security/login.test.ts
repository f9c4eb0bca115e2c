import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { loadConfig, trustProxyOption } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { startTestApp, type TestApp } from '../../src/testing/harness.js';

// Issue 10, item 4: the login limit could be walked around (spoofed X-Forwarded-For, a counter read before the
// password check and written after it, unknown emails answering ten times faster than known ones).

const password = 'the real password';

describe('TRUST_PROXY', () => {
  test('off by default; true, a hop count or a list of addresses/CIDRs; anything else is refused at start', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    // Fastify 5 ignores a bare number; a hop count trusts exactly the nearest hops.
    const hops = trustProxyOption(2) as (address: string, hop: number) => boolean;
    assert.deepEqual([hops('10.0.0.1', 0), hops('10.0.0.1', 1), hops('10.0.0.1', 2)], [true, true, false]);
    assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1,loopback' }).trustProxy, '10.0.0.1,192.168.0.0/16,::1,loopback');
    assert.throws(() => loadConfig({ TRUST_PROXY: 'my-proxy.example' }), /TRUST_PROXY/);
    assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' }), /TRUST_PROXY/);
  });

  test('by default a client cannot pick its address with X-Forwarded-For: each claimed address is the same one', async () => {
    const t = await startTestApp({ LOGIN_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_ADDRESS: '5' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await t.request('POST', '/api/v1/session', { email: `nobody${i}@example.org`, password: 'guess guess' }, { 'x-forwarded-for': `203.0.113.${i}` });
        codes.push(res.status);
      }
      assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await t.close();
    }
  });

  test('behind a configured proxy, X-Forwarded-For names the client', async () => {
    const t = await startTestApp({ LOGIN_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_ADDRESS: '5', TRUST_PROXY: '127.0.0.1' });
    try {
      for (let i = 0; i < 7; i++) {
        const res = await t.request('POST', '/api/v1/session', { email: `nobody${i}@example.org`, password: 'guess guess' }, { 'x-forwarded-for': `203.0.113.${i}` });
        assert.equal(res.status, 401);
      }
      // The same claimed address is limited.
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        codes.push((await t.request('POST', '/api/v1/session', { email: `other${i}@example.org`, password: 'guess guess' }, { 'x-forwarded-for': '198.51.100.7' })).status);
      }
      assert.deepEqual(codes, [401, 401, 401, 401, 401, 429]);
    } finally {
      await t.close();
    }
  });
});

describe('the login limit', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '10', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000', TRUST_PROXY: 'true' });
  });
  after(() => t.close());

  test('60 parallel guesses at one account, each from a different address, get at most 10 password checks', async () => {
    const email = 'parallel@example.org';
    await t.services.people.createUser({ email, name: 'P', role: 'agent', password });
    const guesses = Array.from({ length: 60 }, (_, i) =>
      t.request('POST', '/api/v1/session', { email, password: `guess number ${i}` }, { 'x-forwarded-for': `198.51.100.${i}` }),
    );
    const results = await Promise.all(guesses);
    const checked = results.filter((r) => r.status !== 429);
    assert.ok(checked.length <= 10, `${checked.length} guesses reached the password check`);
    assert.ok(checked.length >= 1);
    for (const r of results.filter((r) => r.status === 429)) assert.equal(r.body.code, 'TOO_MANY_ATTEMPTS');
  });

  test('a success clears the account counter; a failure window passes', async () => {
    const email = 'clears@example.org';
    await t.services.people.createUser({ email, name: 'C', role: 'agent', password });
    for (let i = 0; i < 9; i++) assert.equal((await t.request('POST', '/api/v1/session', { email, password: 'wrong wrong' })).status, 401);
    assert.equal((await t.request('POST', '/api/v1/session', { email, password })).status, 200);
    for (let i = 0; i < 9; i++) assert.equal((await t.request('POST', '/api/v1/session', { email, password: 'wrong wrong' })).status, 401);
    assert.equal((await t.request('POST', '/api/v1/session', { email, password })).status, 200);
    for (let i = 0; i < 10; i++) await t.request('POST', '/api/v1/session', { email, password: 'wrong wrong' });
    assert.equal((await t.request('POST', '/api/v1/session', { email, password })).status, 429);
    t.clock.advance(16 * 60_000);
    assert.equal((await t.request('POST', '/api/v1/session', { email, password })).status, 200);
  });

  test('expired counters are swept', async () => {
    await t.request('POST', '/api/v1/session', { email: 'sweep-me@example.org', password: 'wrong wrong' });
    assert.ok((await t.count('login_attempts')) > 0);
    t.clock.advance(60 * 60_000);
    await t.request('POST', '/api/v1/session', { email: 'sweeper@example.org', password: 'wrong wrong' });
    // Only the attempt just made (its account and its address) is left.
    assert.equal(await t.count('login_attempts'), 2);
  });

  test('several processes on one database share the counter', { skip: !process.env.TEST_DATABASE_URL && 'needs the PostgreSQL server' }, async () => {
    const second = await openDatabase({ url: t.databaseUrl as string });
    const other = await buildApp(t.config, second, { clock: t.clock, logger: false });
    try {
      const email = 'two-processes@example.org';
      await t.services.people.createUser({ email, name: 'T', role: 'agent', password });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const app = i % 2 ? t.app : other.app;
          return app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: `guess ${i}` }, headers: { 'x-forwarded-for': `192.0.2.${i}` } });
        }),
      );
      const checked = results.filter((r) => r.statusCode !== 429);
      assert.ok(checked.length <= 10, `${checked.length} guesses reached the password check`);
    } finally {
      await other.app.close();
      await other.services.jobs.stop();
      await second.close();
    }
  });
});

describe('unknown accounts', () => {
  test('an unknown email costs as much as a known one (no account enumeration by timing)', async (ctx) => {
    const t = await startTestApp({ LOGIN_MAX_FAILURES: '1000', LOGIN_MAX_FAILURES_PER_ADDRESS: '10000' });
    try {
      const known = 'known@example.org';
      await t.services.people.createUser({ email: known, name: 'K', role: 'agent', password });
      const inactive = await t.services.people.createUser({ email: 'gone@example.org', name: 'G', role: 'agent', password });
      await t.services.people.updateUser(inactive.id, { active: false });
      const time = async (email: string) => {
        const start = process.hrtime.bigint();
        const res = await t.request('POST', '/api/v1/session', { email, password: 'wrong wrong' });
        assert.equal(res.status, 401);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      await time(known); // warm up
      const k: number[] = [];
      const u: number[] = [];
      const g: number[] = [];
      // Interleaved, so a burst of load on a shared machine hits all three alike.
      for (let i = 0; i < 9; i++) {
        k.push(await time(known));
        u.push(await time(`ghost${i}@example.org`));
        g.push(await time('gone@example.org'));
      }
      const [mk, mu, mg] = [median(k), median(u), median(g)];
      ctx.diagnostic(`median sign-in: known ${mk.toFixed(1)} ms, unknown ${mu.toFixed(1)} ms, inactive ${mg.toFixed(1)} ms`);
      assert.ok(mu >= mk * 0.5, `unknown ${mu.toFixed(1)} ms vs known ${mk.toFixed(1)} ms`);
      assert.ok(mg >= mk * 0.5, `inactive ${mg.toFixed(1)} ms vs known ${mk.toFixed(1)} ms`);
    } finally {
      await t.close();
    }
  });
});
