import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { installAccessControl } from './platform/auth.js';
import { enqueue } from './platform/jobs.js';
import { type Session, startTestApp, type TestApp } from './testing/harness.js';

let t: TestApp;
let agent: Session;
let customer: Session;

before(async () => {
  t = await startTestApp({ METRICS_TOKEN: 'metrics-token-for-tests-0123456789abcdef' });
  agent = await t.signIn('agent');
  customer = await t.signIn('customer');
});
after(() => t.close());

describe('the route table', () => {
  test('every API route declares who may call it', () => {
    const api = t.routes.filter((r) => r.url.startsWith('/api/v1/'));
    assert.ok(api.length > 30, `only ${api.length} API routes registered`);
    const undeclared = api.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(undeclared, []);
    const publicRoutes = api.filter((r) => r.access?.level === 'public').map((r) => `${r.method} ${r.url}`);
    // Sign-in (staff, and the portal's password or emailed link), password reset by emailed link, the health check, the first-run setup
    // (token-protected, refused once an admin exists), satisfaction surveys answered through signed links, and the
    // help centre's article suggestions, their feedback and "was this helpful" votes (rate-limited per client), and
    // the widget's reports, suggestions and surveys (each checks its site key and the page's Origin; rate-limited), and
    // monitors' heartbeat pings (the secret token in the path is the credential; rate-limited per client).
    assert.deepEqual(publicRoutes.sort(), [
      'GET /api/v1/csat/survey',
      'GET /api/v1/health',
      'GET /api/v1/heartbeats/:token',
      'GET /api/v1/kb/suggest',
      'GET /api/v1/setup',
      'GET /api/v1/widget/:siteKey/suggest',
      'HEAD /api/v1/csat/survey',
      'HEAD /api/v1/health',
      'HEAD /api/v1/heartbeats/:token',
      'HEAD /api/v1/kb/suggest',
      'HEAD /api/v1/setup',
      'HEAD /api/v1/widget/:siteKey/suggest',
      'OPTIONS /api/v1/widget/:siteKey/reports',
      'OPTIONS /api/v1/widget/:siteKey/suggest/feedback',
      'OPTIONS /api/v1/widget/:siteKey/surveys',
      'OPTIONS /api/v1/widget/:siteKey/surveys/answer',
      'POST /api/v1/csat/opt-out',
      'POST /api/v1/csat/survey',
      'POST /api/v1/heartbeats/:token',
      'POST /api/v1/kb/articles/:id/votes',
      'POST /api/v1/kb/suggest/feedback',
      'POST /api/v1/password-reset',
      'POST /api/v1/password-reset/check',
      'POST /api/v1/password-reset/request',
      'POST /api/v1/portal/sign-in',
      'POST /api/v1/portal/sign-in-link',
      'POST /api/v1/portal/sign-in/check',
      'POST /api/v1/session',
      'POST /api/v1/setup',
      'POST /api/v1/widget/:siteKey/reports',
      'POST /api/v1/widget/:siteKey/suggest/feedback',
      'POST /api/v1/widget/:siteKey/surveys',
      'POST /api/v1/widget/:siteKey/surveys/answer',
    ]);
  });

  test('registering an API route without access fails at start-up', async () => {
    const fresh = Fastify();
    installAccessControl(fresh, async () => null);
    assert.throws(() => fresh.get('/api/v1/unguarded', async () => 'x'), /declares no access/);
    await fresh.close();
  });
});

describe('API conventions', () => {
  test('the OpenAPI document lists the resources, and /api/docs serves a page', async () => {
    const doc = await t.request('GET', '/api/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi.startsWith('3.'), true);
    for (const p of ['/api/v1/tickets', '/api/v1/tickets/{id}/messages', '/api/v1/tickets/{id}/merge', '/api/v1/search', '/api/v1/users', '/api/v1/groups', '/api/v1/states', '/api/v1/priorities', '/api/v1/custom-fields', '/api/v1/me']) {
      assert.ok(doc.body.paths[p], `missing ${p}`);
    }
    assert.ok(doc.body.paths['/api/v1/tickets'].post.requestBody.content['application/json'].schema.properties.subject);
    const page = await t.request('GET', '/api/docs/');
    assert.equal(page.status, 200);
    assert.match(page.raw, /<html/i);
  });

  test('unknown routes are problem+json 404s', async () => {
    const res = await t.request('GET', '/api/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'NOT_FOUND');
    assert.equal(res.body.status, 404);
    assert.ok(res.body.requestId);
  });

  test('a POST retried with the same Idempotency-Key returns the original result and creates nothing new', async () => {
    const before = await t.count('tickets');
    const body = { subject: 'Offline report', description: 'from the widget' };
    const first = await t.as(customer).post('/api/v1/tickets', body, { 'idempotency-key': 'widget-123' });
    const retry = await t.as(customer).post('/api/v1/tickets', body, { 'idempotency-key': 'widget-123' });
    assert.equal(first.status, 201);
    assert.equal(retry.status, 201);
    assert.equal(retry.body.id, first.body.id);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(await t.count('tickets'), before + 1);
    const reused = await t.as(customer).post('/api/v1/tickets', { ...body, subject: 'other' }, { 'idempotency-key': 'widget-123' });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
    // Keys are per caller: another user's same key is a different request.
    const other = await t.as(agent).post('/api/v1/tickets', body, { 'idempotency-key': 'widget-123' });
    assert.notEqual(other.body.id, first.body.id);
  });

  test('an Idempotency-Key is remembered for a day, then starts a new request', async () => {
    const body = { subject: 'Daily report', description: 'same body' };
    const first = await t.as(customer).post('/api/v1/tickets', body, { 'idempotency-key': 'daily' });
    t.clock.advance(23 * 3600_000);
    assert.equal((await t.as(customer).post('/api/v1/tickets', body, { 'idempotency-key': 'daily' })).body.id, first.body.id);
    t.clock.advance(2 * 3600_000);
    const later = await t.as(customer).post('/api/v1/tickets', body, { 'idempotency-key': 'daily' });
    assert.equal(later.status, 201);
    assert.notEqual(later.body.id, first.body.id);
  });

  test('a rejected request with an Idempotency-Key replays the rejection, and changes nothing', async () => {
    const before = await t.count('tickets');
    const a = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', priority: 'P9' }, { 'idempotency-key': 'bad-1' });
    const b = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', priority: 'P9' }, { 'idempotency-key': 'bad-1' });
    assert.equal(a.status, 422);
    assert.equal(b.status, 422);
    assert.equal(await t.count('tickets'), before);
  });
});

describe('live updates', () => {
  test('the stream pushes ticket events to those who may see them, and internal notes only to staff', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const open = async (who: Session) => {
      const ctrl = new AbortController();
      const res = await fetch(`${address}/api/v1/stream`, { headers: { cookie: who.headers.cookie as string }, signal: ctrl.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      const decoder = new TextDecoder();
      return {
        /** Reads until `predicate` holds on what arrived, or fails after a few seconds. */
        async until(predicate: (s: string) => boolean): Promise<string> {
          const deadline = Date.now() + 5000;
          while (!predicate(text)) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`stream did not deliver in time; got:\n${text}`);
            const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
            if (chunk && !chunk.done) text += decoder.decode(chunk.value);
          }
          return text;
        },
        close: () => ctrl.abort(),
      };
    };
    const agentStream = await open(agent);
    const customerStream = await open(customer);
    const other = await t.signIn('customer');
    const otherStream = await open(other);
    await agentStream.until((s) => s.includes(': connected'));
    await customerStream.until((s) => s.includes(': connected'));

    const tk = await t.make.ticket(agent, { requesterId: customer.user.id });
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'internal', public: false });
    await t.as(agent).patch(`/api/v1/tickets/${tk.id}`, { priority: 'P2' });

    const seenByAgent = await agentStream.until((s) => s.includes('"field":"priority"'));
    const seenByCustomer = await customerStream.until((s) => s.includes('"field":"priority"'));
    assert.match(seenByAgent, /"public":false/);
    assert.doesNotMatch(seenByCustomer, /"public":false/);
    assert.match(seenByCustomer, /"kind":"created"/);
    // A customer who may not see the ticket hears nothing of it.
    await t.make.ticket(other, { subject: 'marker' });
    const seenByOther = await otherStream.until((s) => s.includes('"kind":"created"'));
    assert.equal(seenByOther.includes(tk.id), false);
    for (const s of [agentStream, customerStream, otherStream]) s.close();

    // A client that reconnects with Last-Event-ID gets what it missed while away, and only what it may see.
    const lastSeen = Math.max(...[...seenByCustomer.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])));
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'while you were away' });
    await t.as(agent).post(`/api/v1/tickets/${tk.id}/messages`, { body: 'secret', public: false });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/api/v1/stream`, { headers: { cookie: customer.headers.cookie as string, 'last-event-id': String(lastSeen) }, signal: ctrl.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('"kind":"message_added"') && Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      if (chunk && !chunk.done) text += new TextDecoder().decode(chunk.value);
    }
    ctrl.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.ok(ids.length > 0 && ids.every((id) => id > lastSeen), text);
    assert.match(text, /"kind":"message_added"/);
    assert.doesNotMatch(text, /"public":false/);
  });
});

describe('GET /metrics for operators', () => {
  test('Prometheus text with the bearer METRICS_TOKEN: requests by route pattern and status, latency, jobs, inbound mail, SLA clocks, event-loop lag; anything else is refused', async () => {
    const ticket = await t.make.ticket(agent, { subject: 'Counted' });
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).status, 200);
    await enqueue(t.database.db, t.clock, { kind: 'metrics.example', payload: {}, runAt: new Date('2030-01-01T00:00:00Z') });
    for (const [authorization, status] of [[undefined, 401], ['Bearer wrong-token-of-some-length', 401], ['metrics-token-for-tests-0123456789abcdef', 401]] as const) {
      const res = await t.request('GET', '/metrics', undefined, authorization ? { authorization } : {});
      assert.equal(res.status, status, String(authorization));
      assert.equal(res.body.code, 'UNAUTHENTICATED');
    }
    const res = await t.request('GET', '/metrics', undefined, { authorization: 'Bearer metrics-token-for-tests-0123456789abcdef' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.raw;
    assert.match(text, /^lifeline_http_requests_total\{method="POST",route="\/api\/v1\/tickets",status="201"\} [1-9]\d*$/m);
    // The route's pattern, never the ticket's id (bounded label values).
    assert.match(text, /^lifeline_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/tickets\/:id"\} 1$/m);
    assert.doesNotMatch(text, new RegExp(ticket.id));
    assert.match(text, /^lifeline_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/tickets\/:id",le="\+Inf"\} 1$/m);
    assert.match(text, /^# TYPE lifeline_http_request_duration_seconds histogram$/m);
    assert.match(text, /^lifeline_jobs\{kind="metrics.example",state="queued"\} 1$/m);
    assert.match(text, /^lifeline_inbound_emails\{state="failed"\} 0$/m);
    assert.match(text, /^lifeline_sla_clocks\{state="running"\} \d+$/m);
    assert.match(text, /^lifeline_event_loop_lag_seconds\{quantile="0.99"\} [\d.e-]+$/m);
    if (process.env.TEST_DATABASE_URL) assert.match(text, /^lifeline_db_pool_connections\{state="max"\} 12$/m);
    // Not an API route: not in the OpenAPI document.
    assert.equal((await t.request('GET', '/api/openapi.json')).body.paths['/metrics'], undefined);
  });
});
