import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { webhooks } from '../../src/modules/webhooks/webhooks.schema.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, item 9: webhooks reach only public addresses. Loopback in any spelling, names that resolve to it,
 * link-local (cloud metadata), private, unique-local, multicast and reserved ranges are refused after DNS
 * resolution — when the webhook is saved (422 with the reason) and again at every delivery, which connects only
 * to the address it checked. A refused delivery says why without saying whether anything listens there.
 * WEBHOOK_ALLOW_PRIVATE lets an admin allow ranges.
 */
type Delivery = { status: string; attempts: number; responseStatus: number | null; error: string | null };

async function receiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('ok')) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { hits, port, close: () => new Promise((r) => server.close(r)) };
}

describe('security: webhooks do not reach internal addresses', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let open: Awaited<ReturnType<typeof receiver>>;
  let tagCounter = 0;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    open = await receiver();
  });
  after(async () => {
    await t.close();
    await open.close();
  });

  const deliveries = async (app: TestApp, id: string, as: Session = admin) => (await app.as(as).get(`/api/v1/webhooks/${id}/deliveries`)).body.items as Delivery[];
  /** A trigger posting to the webhook on new tickets with a fresh tag; makes one such ticket and runs the jobs. */
  const fire = async (app: TestApp, as: { admin: Session; agent: Session }, webhookId: string) => {
    const tag = `hook-${++tagCounter}`;
    const trigger = await app.as(as.admin).post('/api/v1/triggers', { name: `Post ${tag}`, events: ['created'], condition: { field: 'tags', op: 'includes_any', value: [tag] }, actions: [{ type: 'webhook', webhookId }] });
    assert.equal(trigger.status, 201, trigger.raw);
    await app.make.ticket(as.agent, { subject: `Ticket ${tag}`, requester: { email: 'grace@example.org' }, tags: [tag] });
    await app.runJobs();
  };
  /** A webhook row written straight to the database, as one saved before this check existed would be. */
  const saveUnchecked = async (name: string, url: string) => {
    const now = t.clock.now();
    const [row] = await t.database.db.insert(webhooks).values({ name, url, secret: 'whsec_test', createdAt: now, updatedAt: now }).returning();
    return row as { id: string };
  };

  test('every spelling of loopback, and every private, link-local, multicast or reserved target, is refused on save with the reason', async () => {
    const p = open.port;
    const targets: [string, RegExp][] = [
      [`http://127.0.0.1:${p}/x`, /loopback/],
      [`http://127.1:${p}/x`, /loopback/],
      [`http://0x7f.1:${p}/x`, /loopback/],
      [`http://0x7f000001:${p}/x`, /loopback/],
      [`http://2130706433:${p}/x`, /loopback/],
      [`http://0177.0.0.1:${p}/x`, /loopback/],
      [`http://127.255.255.254:${p}/x`, /loopback/],
      [`http://[::1]:${p}/x`, /loopback/],
      [`http://[0:0:0:0:0:0:0:1]:${p}/x`, /loopback/],
      [`http://[::ffff:127.0.0.1]:${p}/x`, /loopback/],
      [`http://[::ffff:7f00:1]:${p}/x`, /loopback/],
      [`http://[64:ff9b::7f00:1]:${p}/x`, /loopback/],
      [`http://[2002:7f00:1::1]:${p}/x`, /loopback/],
      [`http://localhost:${p}/x`, /localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/],
      [`http://LocalHost:${p}/x`, /loopback/],
      [`http://0.0.0.0:${p}/x`, /unspecified/],
      [`http://0:${p}/x`, /unspecified/],
      [`http://[::]:${p}/x`, /unspecified/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://[fe80::1]/', /link-local/],
      ['http://10.0.0.1/', /private/],
      ['http://172.16.5.4/', /private/],
      ['http://192.168.1.1/', /private/],
      ['http://100.64.0.1/', /carrier-grade NAT/],
      ['http://[fd00::1]/', /unique-local/],
      ['http://[fc00::1]/', /unique-local/],
      ['http://224.0.0.1/', /multicast/],
      ['http://[ff02::1]/', /multicast/],
      ['http://255.255.255.255/', /broadcast/],
      ['http://240.0.0.1/', /reserved/],
      ['http://198.18.0.1/', /benchmarking/],
      ['https://192.0.2.1/', /documentation/],
      ['http://[::ffff:10.1.2.3]/', /private/],
      ['http://[::ffff:a9fe:a9fe]/', /link-local/],
    ];
    const before = await t.count('webhooks');
    for (const [url, reason] of targets) {
      const res = await t.as(admin).post('/api/v1/webhooks', { name: `Internal ${url}`, url });
      assert.equal(res.status, 422, `${url}: ${res.raw}`);
      assert.equal(res.body.code, 'INVALID_FIELD_VALUE');
      assert.equal(res.body.errors[0].path, 'body.url');
      assert.match(res.body.errors[0].message, reason, url);
      assert.match(res.body.errors[0].message, /WEBHOOK_ALLOW_PRIVATE/);
    }
    assert.equal(await t.count('webhooks'), before, 'nothing saved');
    assert.deepEqual(open.hits, [], 'nothing was contacted');

    // Changing a saved webhook's URL to an internal one is refused the same way.
    const pub = await t.as(admin).post('/api/v1/webhooks', { name: 'Public', url: 'http://93.184.215.14/hook' });
    assert.equal(pub.status, 201, pub.raw);
    const moved = await t.as(admin).patch(`/api/v1/webhooks/${pub.body.id}`, { url: `http://127.1:${p}/x` });
    assert.equal(moved.status, 422, moved.raw);
    assert.equal((await t.as(admin).get('/api/v1/webhooks')).body.items.find((w: { id: string }) => w.id === pub.body.id).url, 'http://93.184.215.14/hook');
  });

  test('a webhook saved before the check (or whose target changed) is refused at delivery: nothing sent, a clear reason, the same whether a port answers or not, not retried', async () => {
    const listening = await saveUnchecked('Old, to an open port', `http://127.0.0.1:${open.port}/x`);
    const closed = await saveUnchecked('Old, to a closed port', 'http://127.0.0.1:9/x');
    const metadata = await saveUnchecked('Old, to metadata', 'http://169.254.169.254/latest/meta-data/');
    for (const hook of [listening, closed, metadata]) await fire(t, { admin, agent }, hook.id);
    t.clock.advance(3600_000);
    await t.runJobs();
    assert.deepEqual(open.hits, [], 'the receiver on loopback got nothing');
    const [a] = await deliveries(t, listening.id);
    const [b] = await deliveries(t, closed.id);
    const [m] = await deliveries(t, metadata.id);
    for (const d of [a, b, m]) {
      assert.equal(d?.status, 'failed');
      assert.equal(d?.attempts, 1, 'a refusal is not retried');
      assert.equal(d?.responseStatus, null);
      assert.match(String(d?.error), /^refused: .* webhooks post only to public addresses unless WEBHOOK_ALLOW_PRIVATE allows the range$/);
    }
    assert.equal(a?.error, b?.error, 'an open and a closed port read the same');
    assert.match(String(a?.error), /127\.0\.0\.1 is a loopback address/);
    assert.match(String(m?.error), /169\.254\.169\.254 is a link-local address/);
  });

  test('a name that resolved to a public address when saved and resolves to loopback at delivery is refused then (a DNS rebind)', async () => {
    const resolveBefore = t.services.webhooks.egress.resolve;
    try {
      t.services.webhooks.egress.resolve = async () => [{ address: '93.184.215.14', family: 4 }];
      const hook = await t.as(admin).post('/api/v1/webhooks', { name: 'Rebinding', url: `http://rebind.example.org:${open.port}/x` });
      assert.equal(hook.status, 201, hook.raw);
      t.services.webhooks.egress.resolve = async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
      await fire(t, { admin, agent }, hook.body.id);
      const [d] = await deliveries(t, hook.body.id);
      assert.equal(d?.status, 'failed');
      assert.match(String(d?.error), /rebind\.example\.org resolves to 127\.0\.0\.1, which is a loopback address/);
      assert.deepEqual(open.hits, []);
    } finally {
      t.services.webhooks.egress.resolve = resolveBefore;
    }
  });

  describe('with WEBHOOK_ALLOW_PRIVATE', () => {
    let allowed: TestApp;
    let a: { admin: Session; agent: Session };

    before(async () => {
      allowed = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: ' 127.0.0.0/8, ::1/128 ' });
      a = { admin: await allowed.signIn('admin'), agent: await allowed.signIn('agent') };
    });
    after(() => allowed.close());

    test('an allowed range is reached, by address and by name; others are still refused', async () => {
      open.hits.length = 0;
      for (const url of [`http://127.0.0.1:${open.port}/by-address`, `http://localhost:${open.port}/by-name`]) {
        const hook = await allowed.as(a.admin).post('/api/v1/webhooks', { name: url, url });
        assert.equal(hook.status, 201, hook.raw);
        await fire(allowed, a, hook.body.id);
        const [d] = await deliveries(allowed, hook.body.id, a.admin);
        assert.equal(d?.status, 'delivered', JSON.stringify(d));
        assert.equal(d?.responseStatus, 200);
      }
      assert.deepEqual(open.hits, ['/by-address', '/by-name']);
      for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/', 'http://[fd00::1]/']) {
        assert.equal((await allowed.as(a.admin).post('/api/v1/webhooks', { name: url, url })).status, 422, url);
      }
    });

    test('the connection goes to the address that was checked, not to a second lookup', async () => {
      open.hits.length = 0;
      const resolveBefore = allowed.services.webhooks.egress.resolve;
      try {
        // Only this resolver knows the name; were the connection to look it up again, it would fail.
        allowed.services.webhooks.egress.resolve = async (host) => (host === 'hooks.internal.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
        const hook = await allowed.as(a.admin).post('/api/v1/webhooks', { name: 'Pinned', url: `http://hooks.internal.test:${open.port}/pinned` });
        assert.equal(hook.status, 201, hook.raw);
        await fire(allowed, a, hook.body.id);
        const [d] = await deliveries(allowed, hook.body.id, a.admin);
        assert.equal(d?.status, 'delivered', JSON.stringify(d));
        assert.deepEqual(open.hits, ['/pinned']);
      } finally {
        allowed.services.webhooks.egress.resolve = resolveBefore;
      }
    });

    test('redirects are not followed', async () => {
      const target = await receiver();
      const redirecting = await receiver((_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', `http://127.0.0.1:${target.port}/followed`);
        res.end();
      });
      try {
        const hook = await allowed.as(a.admin).post('/api/v1/webhooks', { name: 'Redirecting', url: `http://127.0.0.1:${redirecting.port}/start` });
        await fire(allowed, a, hook.body.id);
        const [d] = await deliveries(allowed, hook.body.id, a.admin);
        assert.equal(d?.status, 'failed');
        assert.equal(d?.responseStatus, 302);
        assert.deepEqual(redirecting.hits, ['/start']);
        assert.deepEqual(target.hits, [], 'the redirect was not followed');
      } finally {
        await target.close();
        await redirecting.close();
      }
    });
  });

  test('WEBHOOK_ALLOW_PRIVATE takes addresses and CIDR ranges; anything else stops the server from starting', () => {
    assert.equal(loadConfig({}).webhookAllowPrivate.length, 0, 'unset allows nothing');
    assert.equal(loadConfig({ WEBHOOK_ALLOW_PRIVATE: '10.0.0.0/8,fd00::/8, 192.168.1.10' }).webhookAllowPrivate.length, 3);
    for (const bad of ['banana', '10.0.0.0/33', '10.0.0/8', '::1/129', '10.0.0.0/8/1', 'localhost']) {
      assert.throws(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: bad }), /WEBHOOK_ALLOW_PRIVATE/, bad);
    }
  });
});
