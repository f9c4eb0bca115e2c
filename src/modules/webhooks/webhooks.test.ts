import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

type Received = { headers: http.IncomingHttpHeaders; body: string };

describe('outgoing webhooks', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let receiver: http.Server;
  let url: string;
  const received: Received[] = [];
  // The receiver answers with these statuses in turn, then 200.
  const answers: number[] = [];

  before(async () => {
    // The receiver is on loopback, which webhooks reach only when an admin allows it.
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lifeline`;
  });
  after(async () => {
    await t.close();
    await new Promise((r) => receiver.close(r));
  });

  const hookWithTrigger = async (name: string, tag: string) => {
    const hook = await t.as(admin).post('/api/v1/webhooks', { name, url });
    assert.equal(hook.status, 201, hook.raw);
    const trigger = await t.as(admin).post('/api/v1/triggers', {
      name: `Post ${name}`,
      events: ['created'],
      condition: { field: 'tags', op: 'includes_any', value: [tag] },
      actions: [{ type: 'webhook', webhookId: hook.body.id }],
    });
    assert.equal(trigger.status, 201, trigger.raw);
    return hook.body as { id: string; secret: string };
  };
  const deliveries = async (id: string) => (await t.as(admin).get(`/api/v1/webhooks/${id}/deliveries`)).body.items as { status: string; attempts: number; responseStatus: number | null; error: string | null }[];

  test('a trigger posts the ticket, signed with the secret; the receiver can check the signature and the delivery id', async () => {
    const hook = await hookWithTrigger('Jira bridge', 'to-jira');
    assert.match(hook.secret, /^whsec_/);
    const listed = (await t.as(admin).get('/api/v1/webhooks')).body.items[0];
    assert.equal(listed.secret, undefined, 'the secret is shown once');
    const ticket = await t.make.ticket(agent, { subject: 'Sync fails', requester: { email: 'grace@example.org' }, tags: ['to-jira'] });
    await t.runJobs();
    assert.equal(received.length, 1);
    const got = received[0] as Received;
    const payload = JSON.parse(got.body);
    assert.equal(payload.ticket.number, ticket.number);
    assert.equal(payload.rule, 'Trigger “Post Jira bridge”');
    const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(got.headers['x-lifeline-signature'])) ?? [];
    assert.equal(mac, createHmac('sha256', hook.secret).update(`${ts}.${got.body}`).digest('hex'));
    assert.equal(Number(ts), Math.floor(t.clock.now().getTime() / 1000));
    const [d] = await deliveries(hook.id);
    assert.equal(d?.status, 'delivered');
    assert.equal(d?.responseStatus, 200);
    await t.runJobs();
    assert.equal(received.length, 1, 'delivered once');
  });

  test('a 503 is retried with backoff, the same delivery again; a 410 is a refusal and is not retried', async () => {
    const hook = await hookWithTrigger('Flaky', 'to-flaky');
    received.length = 0;
    answers.push(503);
    await t.make.ticket(agent, { subject: 'Retry me', requester: { email: 'grace@example.org' }, tags: ['to-flaky'] });
    await t.runJobs();
    let [d] = await deliveries(hook.id);
    assert.equal(d?.status, 'pending');
    assert.equal(d?.responseStatus, 503);
    t.clock.advance(6_000);
    await t.runJobs();
    [d] = await deliveries(hook.id);
    assert.equal(d?.status, 'delivered');
    assert.equal(d?.attempts, 2);
    assert.equal(received.length, 2);
    assert.equal(received[0]?.headers['x-lifeline-delivery'], received[1]?.headers['x-lifeline-delivery'], 'a retry is the same delivery');

    const gone = await hookWithTrigger('Gone', 'to-gone');
    answers.push(410);
    await t.make.ticket(agent, { subject: 'Refused', requester: { email: 'grace@example.org' }, tags: ['to-gone'] });
    await t.runJobs();
    t.clock.advance(60_000);
    await t.runJobs();
    const [refused] = await deliveries(gone.id);
    assert.equal(refused?.status, 'failed');
    assert.equal(refused?.attempts, 1);
    assert.equal(refused?.error, 'answered 410');
  });

  test('a receiver that is down is retried, then given up on after the last attempt', async () => {
    const down = await t.as(admin).post('/api/v1/webhooks', { name: 'Down', url: 'http://127.0.0.1:9/nothing' });
    await t.as(admin).post('/api/v1/triggers', { name: 'Post Down', events: ['created'], condition: { field: 'tags', op: 'includes_any', value: ['to-down'] }, actions: [{ type: 'webhook', webhookId: down.body.id }] });
    await t.make.ticket(agent, { subject: 'Nobody listens', requester: { email: 'grace@example.org' }, tags: ['to-down'] });
    for (let i = 0; i < 10; i++) {
      await t.runJobs();
      t.clock.advance(3600_000);
    }
    const [d] = await deliveries(down.body.id);
    assert.equal(d?.status, 'failed');
    assert.equal(d?.attempts, 8);
    assert.match(String(d?.error), /could not connect/);
  });

  test('an inactive webhook gets nothing; bad webhooks and rules naming unknown ones are refused, changing nothing', async () => {
    const hook = await hookWithTrigger('Paused', 'to-paused');
    assert.equal((await t.as(admin).patch(`/api/v1/webhooks/${hook.id}`, { active: false })).status, 200);
    received.length = 0;
    await t.make.ticket(agent, { subject: 'Quiet', requester: { email: 'grace@example.org' }, tags: ['to-paused'] });
    await t.runJobs();
    assert.equal(received.length, 0);
    assert.deepEqual(await deliveries(hook.id), []);

    const before = await t.count('webhooks');
    for (const body of [{ name: 'FTP', url: 'ftp://example.org/x' }, { name: '', url }, { name: 'No URL' }]) {
      const res = await t.as(admin).post('/api/v1/webhooks', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
    assert.equal((await t.as(admin).post('/api/v1/webhooks', { name: 'paused', url })).status, 409, 'names are unique');
    assert.equal((await t.as(agent).post('/api/v1/webhooks', { name: 'Mine', url })).status, 403);
    assert.equal((await t.as(agent).get('/api/v1/webhooks')).status, 403);
    assert.equal(await t.count('webhooks'), before);
    const unknown = await t.as(admin).post('/api/v1/triggers', { name: 'Nowhere', events: ['created'], actions: [{ type: 'webhook', webhookId: '00000000-0000-4000-8000-000000000000' }] });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].path, 'body.actions.0.webhookId');
    assert.equal((await t.as(admin).get('/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).status, 404);
  });
});
