import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientKey } from '../../src/platform/client-key.js';
import { startTestApp, type TestApp } from '../../src/testing/harness.js';

// Security follow-ups: the per-address sign-in limit keyed IPv6 by the full address (an attacker rotates through
// their /64 for free), and ~11 failed sign-ins from anywhere locked the victim's account (denial of service).

const password = 'the real password';

/** The value of a cookie an answer sets, as a `name=value` pair for the next request's Cookie header. */
function cookieOf(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all.map((c: string) => c.split(';')[0] as string).find((c) => c.startsWith(`${name}=`));
}

describe('clientKey', () => {
  test('IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4', () => {
    assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::FFFF:c000:201'), '192.0.2.1');
    assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0DB8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:ffff::1.2.3.4'), '2001:db8:1:2::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  });
});

describe('sign-in limits by client', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '100', LOGIN_MAX_FAILURES_PER_ADDRESS: '5', TRUST_PROXY: 'true' });
  });
  after(() => t.close());

  const guess = (i: number, from: string) => t.request('POST', '/api/v1/session', { email: `nobody${i}@example.org`, password: 'guess guess' }, { 'x-forwarded-for': from });

  test('every address of one IPv6 /64 shares one limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await guess(i, `2001:db8:aa:1:${i.toString(16)}::${i + 1}`)).status);
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 429, 429]);
    // The next /64 is another client.
    assert.equal((await guess(8, '2001:db8:aa:2::1')).status, 401);
  });

  test('an IPv4-mapped IPv6 address counts as its IPv4 address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await guess(i, i % 2 ? '::ffff:198.51.100.20' : '198.51.100.20')).status);
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 429]);
  });
});

describe('an account locked by failures from elsewhere', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '10', LOGIN_MAX_FAILURES_PER_ADDRESS: '20', TRUST_PROXY: 'true' });
  });
  after(() => t.close());

  const signIn = (email: string, pass: string, from: string, cookie?: string) =>
    t.request('POST', '/api/v1/session', { email, password: pass }, { 'x-forwarded-for': from, ...(cookie ? { cookie } : {}) });

  test('the real user signs in from the browser they used before; guesses from anywhere else are still refused', async () => {
    const email = 'victim@example.org';
    await t.services.people.createUser({ email, name: 'V', role: 'agent', password });
    const first = await signIn(email, password, '192.0.2.10');
    assert.equal(first.status, 200);
    const device = cookieOf(first, 'lifeline_device');
    assert.ok(device, 'a device cookie is set');
    assert.match(String(first.headers['set-cookie']), /lifeline_device=[^;]+;.*Path=\/api\/v1\/session;.*HttpOnly;.*SameSite=Strict/);

    // An attacker spreads guesses over many addresses: the account locks for everyone without the device cookie.
    for (let i = 0; i < 12; i++) await signIn(email, `guess ${i}`, `203.0.113.${i}`);
    assert.equal((await signIn(email, password, '203.0.113.200')).status, 429, 'a new client is refused');
    assert.equal((await signIn(email, password, '192.0.2.10')).status, 429, 'the same address without the cookie is refused');
    // A forged, altered or other account's device token opens nothing.
    const [name, value] = device.split('=') as [string, string];
    const [id] = value.split('.') as [string];
    assert.equal((await signIn(email, password, '203.0.113.201', `${name}=${id}.AAAA`)).status, 429);
    const other = 'other@example.org';
    await t.services.people.createUser({ email: other, name: 'O', role: 'agent', password });
    const otherDevice = cookieOf(await signIn(other, password, '203.0.113.202'), 'lifeline_device') as string;
    assert.equal((await signIn(email, password, '203.0.113.202', otherDevice)).status, 429);

    // The real user, from their browser, anywhere: in.
    const back = await signIn(email, password, '198.51.100.77', device);
    assert.equal(back.status, 200);
    assert.equal(cookieOf(back, 'lifeline_device'), device, 'the device keeps its token');
  });

  test('a device gets only its own few guesses: the device cookie does not lift the limit, it only separates it', async () => {
    const email = 'device-guesses@example.org';
    await t.services.people.createUser({ email, name: 'D', role: 'agent', password });
    const device = cookieOf(await signIn(email, password, '192.0.2.30'), 'lifeline_device') as string;
    for (let i = 0; i < 12; i++) await signIn(email, `guess ${i}`, `203.0.113.${50 + i}`);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await signIn(email, `device guess ${i}`, '192.0.2.31', device)).status);
    assert.deepEqual(codes, [...Array(10).fill(401), 429]);
    assert.equal((await signIn(email, password, '192.0.2.31', device)).status, 429, 'not even the right password gets checked');
    t.clock.advance(16 * 60_000);
    assert.equal((await signIn(email, password, '192.0.2.31', device)).status, 200);
  });

  test('the per-client limit still holds for a device', async () => {
    const email = 'busy-client@example.org';
    await t.services.people.createUser({ email, name: 'B', role: 'agent', password });
    const device = cookieOf(await signIn(email, password, '192.0.2.40'), 'lifeline_device') as string;
    for (let i = 0; i < 21; i++) await signIn(`someone${i}@example.org`, 'guess guess', '192.0.2.41');
    assert.equal((await signIn(email, password, '192.0.2.41', device)).status, 429);
  });
});
