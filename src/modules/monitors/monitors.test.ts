import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { HEARTBEAT_PINGS_PER_MINUTE } from './monitors.routes.js';
import { monitorResults } from './monitors.schema.js';
import { RESULTS_KEPT } from './monitors.service.js';

/**
 * Monitors (issue 12): HTTP checks against a real local HTTP server (reachable through the webhooks' allow-list,
 * WEBHOOK_ALLOW_PRIVATE=127.0.0.1/32, as an admin would allow an internal range), heartbeats, N failures in a row →
 * one draft incident and one page, recovery on the timeline; SSRF refusals at save and at connect; bad input.
 * The clock is fake; checks are claimed by the sweep and run by the job runner.
 */
describe('monitors', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let oncallPerson: Session;
  let componentId: string;
  let policyId: string;
  let port: number;
  let server: http.Server;
  // What the monitored service answers now.
  let answer = { status: 200, body: 'all systems go', delayMs: 0, location: '' };
  const hits: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      const send = () => {
        res.statusCode = answer.status;
        if (answer.location) res.setHeader('location', answer.location);
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    oncallPerson = await t.signIn('agent', { name: 'On Call', email: 'oncall@example.org' });
    const component = await t.as(admin).post('/api/v1/status-components', { name: 'API' });
    assert.equal(component.status, 201, component.raw);
    componentId = component.body.id;
    const policy = await t.as(admin).post('/api/v1/oncall/policies', { name: 'API on-call', steps: [{ delayMinutes: 15, targets: [{ type: 'user', id: oncallPerson.user.id }] }] });
    assert.equal(policy.status, 201, policy.raw);
    policyId = policy.body.id;
  });
  after(async () => {
    await t.close();
    await new Promise((r) => server.close(r));
  });

  const url = (path = '/health') => `http://127.0.0.1:${port}${path}`;
  /** One tick: the clock moves on, the sweep claims what is due, the jobs run (checks, alerts, recoveries). */
  const tick = async (seconds = 30) => {
    t.clock.advance(seconds * 1000);
    await t.services.monitors.sweep();
    await t.runJobs();
  };
  const detail = async (id: string) => (await t.as(agent).get(`/api/v1/monitors/${id}`)).body;
  const make = async (body: Record<string, unknown>) => {
    const res = await t.as(admin).post('/api/v1/monitors', { componentId, intervalSeconds: 30, timeoutSeconds: 5, ...body });
    assert.equal(res.status, 201, res.raw);
    return res.body;
  };
  const pause = (id: string) => t.as(admin).patch(`/api/v1/monitors/${id}`, { paused: true });

  test('bad input is refused with the field named, and nothing is saved', async () => {
    const before = await t.count('monitors');
    const refused: [Record<string, unknown>, number, string, string, RegExp][] = [
      [{ url: 'http://169.254.169.254/latest/meta-data/' }, 422, 'INVALID_FIELD_VALUE', 'body.url', /link-local/],
      [{ url: 'http://10.1.2.3/' }, 422, 'INVALID_FIELD_VALUE', 'body.url', /private/],
      [{ url: 'http://[fd00::1]/' }, 422, 'INVALID_FIELD_VALUE', 'body.url', /unique-local/],
      [{ url: `http://[::1]:${port}/` }, 422, 'INVALID_FIELD_VALUE', 'body.url', /loopback/],
      [{ url: `http://127.0.0.2:${port}/` }, 422, 'INVALID_FIELD_VALUE', 'body.url', /loopback.*WEBHOOK_ALLOW_PRIVATE/],
      [{ url: 'ftp://example.org/' }, 422, 'INVALID_FIELD_VALUE', 'body.url', /not http or https/],
      [{ url: null }, 422, 'INVALID_FIELD_VALUE', 'body.url', /needs a URL/],
      [{ url: url(), intervalSeconds: 10 }, 400, 'VALIDATION_FAILED', 'body.intervalSeconds', /30/],
      [{ url: url(), componentId: '0b7c0c5e-0000-4000-8000-000000000000' }, 422, 'INVALID_REFERENCE', 'body.componentId', /no such component/],
      [{ url: url(), method: 'HEAD', keyword: 'ok' }, 422, 'INVALID_FIELD_VALUE', 'body.keyword', /HEAD/],
      [{ url: url(), timeoutSeconds: 30 }, 422, 'INVALID_FIELD_VALUE', 'body.timeoutSeconds', /shorter than the interval/],
      [{ url: url(), expectedStatusMin: 300, expectedStatusMax: 299 }, 422, 'INVALID_FIELD_VALUE', 'body.expectedStatusMax', /below/],
      [{ url: url(), severity: 'P9' }, 422, 'INVALID_REFERENCE', 'body.severity', /not one of P1, P2/],
    ];
    for (const [body, status, code, path, message] of refused) {
      const res = await t.as(admin).post('/api/v1/monitors', { name: 'Bad', componentId, intervalSeconds: 30, timeoutSeconds: 5, ...body });
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.raw}`);
      assert.equal(res.body.code, code, res.raw);
      const field = res.body.errors.find((e: { path: string }) => e.path === path);
      assert.ok(field, `${path} named: ${res.raw}`);
      assert.match(field.message, message);
    }
    assert.equal((await t.as(agent).post('/api/v1/monitors', { name: 'Agent', componentId, url: url() })).status, 403, 'admins only');
    assert.equal(await t.count('monitors'), before, 'nothing saved');
    assert.deepEqual(hits, [], 'nothing was contacted');
    assert.equal((await t.as(admin).put('/api/v1/component-paging/0b7c0c5e-0000-4000-8000-000000000000', { policyId })).status, 404);
    assert.equal((await t.as(admin).put(`/api/v1/component-paging/${componentId}`, { policyId: '0b7c0c5e-0000-4000-8000-000000000000' })).body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(agent).get('/api/v1/monitors/0b7c0c5e-0000-4000-8000-000000000000')).body.code, 'MONITOR_NOT_FOUND');
  });

  test("the declared incident's severity is the monitor's (default: the top one); an unknown one is refused on edit and changes nothing", async () => {
    answer = { status: 500, body: 'down', delayMs: 0, location: '' };
    const top = await make({ name: 'Top severity', url: url('/top'), failureThreshold: 1 });
    assert.equal(top.severity, null, "unset: today's behaviour");
    const p2 = await make({ name: 'Minor', url: url('/minor'), failureThreshold: 1, severity: 'P2' });
    assert.equal(p2.severity, 'P2');
    const bad = await t.as(admin).patch(`/api/v1/monitors/${top.id}`, { severity: 'SEV-1' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'body.severity');
    assert.equal((await detail(top.id)).severity, null, 'nothing changed');
    await tick(0);
    const severityOf = async (id: string) => (await t.as(agent).get(`/api/v1/incidents/${(await detail(id)).alert.incident.id}`)).body.severity;
    assert.equal(await severityOf(top.id), 'P1');
    assert.equal(await severityOf(p2.id), 'P2');
    // Back to the default by PATCH null.
    assert.equal((await t.as(admin).patch(`/api/v1/monitors/${p2.id}`, { severity: null })).body.severity, null);
    for (const m of [top, p2]) {
      await t.as(agent).post(`/api/v1/incidents/${(await detail(m.id)).alert.incident.id}/state`, { state: 'resolved' });
      await pause(m.id);
    }
    answer = { status: 200, body: 'all systems go', delayMs: 0, location: '' };
  });

  test('three failures in a row open one draft incident on the component and page its policy once; recovery goes on the timeline', async () => {
    assert.equal((await t.as(admin).put(`/api/v1/component-paging/${componentId}`, { policyId })).status, 204);
    answer = { status: 200, body: 'all systems go', delayMs: 0, location: '' };
    const m = await make({ name: 'API health', url: url(), keyword: 'systems go' });
    assert.equal(m.status, 'pending');
    await tick(0);
    let d = await detail(m.id);
    assert.equal(d.status, 'up');
    assert.equal(d.results.length, 1);
    assert.equal(d.results[0].ok, true);
    assert.equal(d.results[0].statusCode, 200);
    assert.equal(typeof d.results[0].latencyMs, 'number');

    // Not yet due: a sweep 10 s later checks nothing.
    const before = hits.length;
    await tick(10);
    assert.equal(hits.length, before, 'not due before its interval');

    answer = { ...answer, status: 503, body: 'down' };
    await tick(20);
    await tick(30);
    d = await detail(m.id);
    assert.equal(d.consecutiveFailures, 2);
    assert.equal(d.alert, null, 'two failures are not three');
    await tick(30);
    d = await detail(m.id);
    assert.equal(d.status, 'down');
    assert.match(d.results[0].error, /HTTP 503, expected 200–299/);
    assert.ok(d.alert?.incident, 'an incident was declared');
    const incident = (await t.as(agent).get(`/api/v1/incidents/${d.alert.incident.id}`)).body;
    assert.equal(incident.state, 'investigating');
    assert.deepEqual(incident.components.map((c: { id: string }) => c.id), [componentId]);
    assert.equal(incident.updates.length, 0, 'a draft: no public update');
    const summary = JSON.parse((await t.request('GET', '/status/summary.json')).raw);
    assert.equal(summary.incidents.length, 0, 'not on the status page until someone posts an update');
    assert.equal(summary.components.find((c: { id: string }) => c.id === componentId)?.status, 'operational');
    const pages = (await t.as(admin).get('/api/v1/oncall/pages')).body.items.filter((p: { incidentId: string | null }) => p.incidentId === d.alert.incident.id);
    assert.equal(pages.length, 1, 'the component policy is paged once');
    assert.equal(pages[0].policyId, policyId);
    assert.equal(d.alert.pageId, pages[0].id);

    // Still failing: no second incident, no second page.
    const incidentsBefore = await t.count('incidents');
    const pagesBefore = await t.count('oncall_pages');
    await tick(30);
    await tick(30);
    assert.equal(await t.count('incidents'), incidentsBefore);
    assert.equal(await t.count('oncall_pages'), pagesBefore);

    answer = { ...answer, status: 200, body: 'all systems go' };
    await tick(30);
    d = await detail(m.id);
    assert.equal(d.status, 'up');
    assert.equal(d.consecutiveFailures, 0);
    assert.ok(d.alert.recoveredAt, 'the alert is closed');
    assert.equal(d.alert.incident.state, 'investigating', 'left for a person to resolve');
    const timeline = (await t.as(agent).get(`/api/v1/incidents/${d.alert.incident.id}`)).body.timeline as { body: string }[];
    assert.equal(timeline.filter((e) => /Monitor API health recovered/.test(e.body)).length, 1);
    // The app's "Resolve" is the incident's own state change.
    assert.equal((await t.as(agent).post(`/api/v1/incidents/${d.alert.incident.id}/state`, { state: 'resolved' })).status, 200);
    await pause(m.id);
  });

  test('two sweeps at one tick (two processes) claim each due check once', async () => {
    const m = await make({ name: 'Once', url: url('/once') });
    t.clock.advance(30_000);
    await Promise.all([t.services.monitors.sweep(), t.services.monitors.sweep()]);
    assert.equal(await t.count(`jobs where kind = 'monitors.check' and payload->>'monitorId' = '${m.id}'`), 1);
    await t.runJobs();
    assert.equal(hits.filter((h) => h === 'GET /once').length, 1);
    await pause(m.id);
    // Paused: not checked.
    await tick(60);
    assert.equal(hits.filter((h) => h === 'GET /once').length, 1);
  });

  test('a missing keyword, a slow answer and a redirect each fail, with the reason; the redirect is not followed', async () => {
    answer = { status: 200, body: 'maintenance page', delayMs: 0, location: '' };
    const m = await make({ name: 'Reasons', url: url('/reasons'), keyword: 'systems go', timeoutSeconds: 1, failureThreshold: 5 });
    await tick(0);
    answer = { ...answer, body: 'all systems go', delayMs: 1500 };
    await tick(30);
    answer = { status: 302, body: '', delayMs: 0, location: url('/elsewhere') };
    await tick(30);
    const [redirect, slow, keyword] = (await detail(m.id)).results as { error: string; statusCode: number | null }[];
    assert.match(keyword?.error ?? '', /"systems go" is not in the first 64 KB/);
    assert.match(slow?.error ?? '', /no answer within 1 s/);
    assert.equal(redirect?.statusCode, 302);
    assert.match(redirect?.error ?? '', /redirects are not followed/);
    assert.ok(!hits.includes('GET /elsewhere'));
    await pause(m.id);
  });

  test('at connect time: a name that now resolves to a private address is refused (DNS rebind); the checked address is the one connected to', async () => {
    const egress = t.services.webhooks.egress;
    const resolveBefore = egress.resolve;
    try {
      egress.resolve = async (host) => (host === 'status.internal.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
      const m = await make({ name: 'Pinned', url: `http://status.internal.test:${port}/pinned` });
      await tick(0);
      assert.ok(hits.includes('GET /pinned'), 'connected to the checked address (no second lookup)');
      egress.resolve = async () => [{ address: '169.254.169.254', family: 4 }];
      await tick(30);
      const [r] = (await detail(m.id)).results as { ok: boolean; error: string }[];
      assert.equal(r?.ok, false);
      assert.match(r?.error ?? '', /^refused: status\.internal\.test resolves to 169\.254\.169\.254, which is a link-local address/);
      await pause(m.id);
    } finally {
      egress.resolve = resolveBefore;
    }
  });

  test('a heartbeat: pinged by POST or GET at its secret URL; a missed deadline opens the alert; a ping recovers it; unknown and forged tokens are 404', async () => {
    const created = await make({ name: 'Nightly backup', kind: 'heartbeat', intervalSeconds: 3600, graceSeconds: 300, failureThreshold: 1, timeoutSeconds: 10 });
    assert.match(created.heartbeatUrl, /\/api\/v1\/heartbeats\/hb_[\w-]{32}$/);
    const path = new URL(created.heartbeatUrl).pathname;
    assert.equal((await t.request('POST', path, 'done')).status, 200);
    const got = await t.request('GET', path);
    assert.equal(got.status, 200, got.raw);
    assert.equal(got.body.nextDeadline, new Date(t.clock.now().getTime() + 3900_000).toISOString());
    assert.equal((await detail(created.id)).status, 'up');

    // The real token with its last character changed (to one it does not end in: it is random, and ended in the
    // 'x' this used to put there once in 64 runs, so the "forged" token was the real one and answered 200).
    const oneOff = `${path.slice(0, -1)}${path.endsWith('x') ? 'y' : 'x'}`;
    for (const forged of ['/api/v1/heartbeats/hb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/api/v1/heartbeats/nope', oneOff]) {
      const res = await t.request('POST', forged, {});
      assert.equal(res.status, 404, forged);
      assert.equal(res.body.code, 'HEARTBEAT_NOT_FOUND');
    }

    await tick(3600); // within the grace
    assert.equal((await detail(created.id)).status, 'up');
    await tick(301);
    let d = await detail(created.id);
    assert.equal(d.status, 'down');
    assert.match(d.results[0].error, /^no ping since /);
    assert.ok(d.alert?.incident, 'a missed heartbeat opened the draft incident');
    assert.equal((await t.request('POST', path)).status, 200);
    await t.runJobs();
    d = await detail(created.id);
    assert.equal(d.status, 'up');
    assert.ok(d.alert.recoveredAt);

    // A new URL: the old one stops at once. Paused: a ping is refused, not recorded.
    const rotated = await t.as(admin).post(`/api/v1/monitors/${created.id}/heartbeat-url`);
    assert.equal((await t.request('POST', path)).status, 404);
    const fresh = new URL(rotated.body.heartbeatUrl).pathname;
    await pause(created.id);
    const paused = await t.request('POST', fresh);
    assert.equal(paused.status, 409);
    assert.equal(paused.body.code, 'MONITOR_PAUSED');
    assert.equal((await t.as(admin).patch(`/api/v1/monitors/${created.id}`, { paused: false })).status, 200);
    assert.equal((await t.request('POST', fresh)).status, 200);
  });

  test('heartbeat pings are limited per client; only the last results are kept', async () => {
    t.clock.advance(60_000); // a fresh window
    let last = 0;
    for (let i = 0; i <= HEARTBEAT_PINGS_PER_MINUTE; i++) last = (await t.request('GET', '/api/v1/heartbeats/nope')).status;
    assert.equal(last, 429);

    const m = await make({ name: 'Many results', url: url('/many') });
    await pause(m.id);
    // A full history written at once, then two more checks: the two oldest go.
    const at = t.clock.now();
    await t.database.db.insert(monitorResults).values(Array.from({ length: RESULTS_KEPT }, (_, i) => ({ monitorId: m.id, at, ok: true, latencyMs: i, statusCode: 200, error: null })));
    await t.database.db.transaction(async (tx) => {
      for (const latencyMs of [1000, 1001]) await t.services.monitors.record(tx, m.id, { ok: true, latencyMs, statusCode: 200, error: null });
    });
    const d = await detail(m.id);
    assert.equal(d.results.length, RESULTS_KEPT);
    assert.equal(d.results[0].latencyMs, 1001, 'newest first');
    assert.equal(d.results.at(-1).latencyMs, 2, 'the two oldest went');
    assert.equal(await t.count(`monitor_results where monitor_id = '${m.id}'`), RESULTS_KEPT);
  });
});
