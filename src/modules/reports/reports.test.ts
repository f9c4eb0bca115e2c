import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { renderDigest } from './digest-mail.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * Four tickets on a fake clock against the seeded office-hours calendar (UTC, Monday–Friday 09:00–17:00), with
 * every number worked out by hand below; then the rebuild gives the same rows, and bad input is refused.
 *
 *   A  Mon 09:00 created; 10:00 agent reply; 11:00 solved.                 FRT 1 h; resolution 2 h; one touch.
 *   B  Mon 09:00 created; 09:30 agent; 10:00 customer; 10:30 agent; 11:00 solved; 12:00 customer (reopens);
 *      12:20 agent; 13:00 solved.                                            FRT 30 min; first res 2 h; full 4 h; reopened.
 *   D  Mon 16:00 created; Tue 09:30 agent reply, pending; 11:00 customer (open again); 12:00 agent reply, solved.
 *      FRT 17.5 h on the clock, 1.5 h in business hours (16–17 and 9–9:30); full resolution 20 h, 4 h business.
 *   C  Tue 09:00 created; nothing since.
 */
/** A duration's histogram bucket, reported as its geometric middle: the seconds below 100, then ~1 % buckets. */
function bucketMiddle(s: number): number {
  if (s < 100) return Math.floor(s);
  return Math.round(100 * 1.01 ** (Math.floor(Math.log(s / 100) / Math.log(1.01)) + 0.5));
}

describe('reports: the store, the metrics and their API', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  const ids = { A: '', B: '', C: '', D: '' };
  const at = (iso: string) => t.clock.set(new Date(iso));
  const reply = (id: string, who: Session, extra: Record<string, unknown> = {}) => t.as(who).post(`/api/v1/tickets/${id}/messages`, { body: 'Hello', ...extra });
  const period = 'from=2026-03-02&to=2026-03-04';
  const report = async (metric: string, q = '') => {
    const res = await t.as(agent).get(`/api/v1/reports/${metric}?${period}${q}`);
    assert.equal(res.status, 200, res.raw);
    return res.body;
  };
  const rows = async () => rowsOf<Record<string, unknown>>(await t.database.db.execute(sql`select * from ticket_metrics order by number`));

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Ada Agent' });
    customer = await t.signIn('customer');
    const office = (await t.as(agent).get('/api/v1/calendars')).body.items.find((c: { name: string }) => c.name === 'Office hours').id;
    const policy = await t.as(admin).post('/api/v1/sla-policies', { name: 'Everything', calendarId: office, targets: { P4: { first_response: 120, resolution: 960 } } });
    assert.equal(policy.status, 201, policy.raw);
    const ok = async (p: Promise<{ status: number; raw: string }>) => {
      const res = await p;
      assert.ok(res.status < 300, res.raw);
    };

    at('2026-03-02T09:00:00Z');
    ids.A = (await t.make.ticket(customer, { subject: 'A', tags: ['login'] })).id;
    ids.B = (await t.make.ticket(customer, { subject: 'B', tags: ['login', 'billing'] })).id;
    at('2026-03-02T09:30:00Z');
    await ok(reply(ids.B, agent));
    at('2026-03-02T10:00:00Z');
    await ok(reply(ids.A, agent));
    await ok(reply(ids.B, customer));
    at('2026-03-02T10:30:00Z');
    await ok(reply(ids.B, agent));
    at('2026-03-02T11:00:00Z');
    await ok(t.as(agent).patch(`/api/v1/tickets/${ids.A}`, { status: 'solved' }));
    await ok(t.as(agent).patch(`/api/v1/tickets/${ids.B}`, { status: 'solved' }));
    at('2026-03-02T12:00:00Z');
    await ok(reply(ids.B, customer));
    at('2026-03-02T12:20:00Z');
    await ok(reply(ids.B, agent));
    at('2026-03-02T13:00:00Z');
    await ok(t.as(agent).patch(`/api/v1/tickets/${ids.B}`, { status: 'solved' }));
    at('2026-03-02T16:00:00Z');
    ids.D = (await t.make.ticket(customer, { subject: 'D', tags: ['billing'] })).id;
    at('2026-03-03T09:00:00Z');
    ids.C = (await t.make.ticket(customer, { subject: 'C' })).id;
    at('2026-03-03T09:30:00Z');
    await ok(reply(ids.D, agent, { status: 'pending' }));
    at('2026-03-03T11:00:00Z');
    await ok(reply(ids.D, customer));
    at('2026-03-03T12:00:00Z');
    await ok(reply(ids.D, agent, { status: 'solved' }));
    at('2026-03-04T10:00:00Z');
  });
  after(() => t.close());

  test('first response, resolution, reopen rate and one-touch match the numbers worked out by hand', async () => {
    const frt = await report('first_response_time');
    // A 3600, B 1800, D 63000 on the clock; business 3600, 1800, 5400.
    // Medians and p90 are nearest-rank values reported as their histogram bucket's middle (within 0.5 %): the p90 of
    // three is the third.
    assert.deepEqual(frt.values, { count: 3, avg: 22800, p50: bucketMiddle(3600), p90: bucketMiddle(63000), avgBusiness: 3600, p50Business: bucketMiddle(3600), p90Business: bucketMiddle(5400) });
    assert.ok(Math.abs(bucketMiddle(3600) - 3600) <= 3600 * 0.005);
    const full = await report('full_resolution_time');
    // A 7200, B 14400, D 72000; business 7200, 14400, 14400.
    assert.equal(full.values.count, 3);
    assert.equal(full.values.avg, 31200);
    assert.equal(full.values.p50, bucketMiddle(14400));
    assert.equal(full.values.avgBusiness, 12000);
    const first = await report('first_resolution_time');
    // A 7200, B 7200 (its first solve), D 72000.
    assert.equal(first.values.avg, 28800);
    assert.equal(first.values.p50, bucketMiddle(7200));
    assert.deepEqual((await report('reopen_rate')).values, { rate: 33.3, reopened: 1, solved: 3 });
    assert.deepEqual((await report('one_touch_resolution')).values, { rate: 33.3, oneTouch: 1, solved: 3 });
    // Public messages: A 2, B 6, D 4.
    assert.equal((await report('interactions_per_ticket')).values.avg, 4);
    // B waited once for 30 min and once for 20 min after its first reply; D once for an hour.
    const next = await report('next_response_time');
    assert.equal(next.values.count, 2);
    assert.equal(next.values.avg, Math.round((1500 + 3600) / 2));
    // D was pending from Tue 09:30 to 11:00.
    const agentWait = await report('agent_wait_time', '&groupBy=day');
    assert.deepEqual(
      agentWait.groups.map((g: { key: string; values: { avg: number } }) => [g.key, g.values.avg]),
      [
        ['2026-03-02', 0],
        ['2026-03-03', 5400],
      ],
    );
    assert.deepEqual((await report('sla_first_response')).values, { attainment: 100, met: 3, breached: 0 });
    assert.deepEqual((await report('tickets_created')).values, { tickets: 4 });
    assert.deepEqual((await report('tickets_solved')).values, { tickets: 3 });
    const backlog = await report('backlog', '&groupBy=age');
    assert.equal(backlog.values.tickets, 1);
    assert.deepEqual(backlog.groups.map((g: { key: string }) => g.key), ['0-1d']);
    const top = await report('top_tags');
    assert.deepEqual(
      top.groups.map((g: { key: string; values: { tickets: number } }) => [g.key, g.values.tickets]),
      [
        ['billing', 2],
        ['login', 2],
      ],
    );
    // The previous period (the two days before) had nothing.
    assert.equal(frt.previous.values.count, 0);
    assert.equal(frt.previous.from, '2026-02-28T00:00:00.000Z');
    assert.match(frt.metric.definition, /automatic replies/);
  });

  test('grouping, filters, the tickets behind a number, CSV, and why a ticket has its numbers', async () => {
    const byAgent = await report('first_response_time', '&groupBy=agent');
    assert.equal(byAgent.groups.reduce((n: number, g: { values: { count: number } }) => n + g.values.count, 0), 3);
    const billing = await report('tickets_created', '&tag=billing');
    assert.equal(billing.values.tickets, 2);
    const drill = await t.as(agent).get(`/api/v1/reports/first_response_time/tickets?${period}&groupBy=day&value=2026-03-03`);
    assert.equal(drill.status, 200, drill.raw);
    assert.deepEqual(drill.body.items.map((i: { subject: string; value: number }) => [i.subject, i.value]), [['D', 63000]]);
    const paged = await t.as(agent).get(`/api/v1/reports/tickets_created/tickets?${period}&limit=3`);
    assert.equal(paged.body.items.length, 3);
    const rest = await t.as(agent).get(`/api/v1/reports/tickets_created/tickets?${period}&limit=3&cursor=${paged.body.nextCursor}`);
    assert.equal(rest.body.items.length, 1);
    assert.equal(rest.body.nextCursor, null);
    // Page by page (a keyset: date, then id): A and B were created at the same instant, and neither is lost or repeated.
    const walked: string[] = [];
    for (let cursor = ''; ; ) {
      const page = await t.as(agent).get(`/api/v1/reports/tickets_created/tickets?${period}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.raw);
      walked.push(...page.body.items.map((i: { subject: string }) => i.subject));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    assert.deepEqual(walked.slice(0, 2), ['C', 'D']);
    assert.deepEqual(walked.slice(2).sort(), ['A', 'B']);
    const subjects = async (url: string) => {
      const res = await t.as(agent).get(url);
      assert.equal(res.status, 200, res.raw);
      return res.body.items.map((i: { subject: string }) => i.subject);
    };
    // A tag's tickets, each once (B has two tags); a week's, a month's, a day's; a day with nothing.
    assert.deepEqual(await subjects(`/api/v1/reports/tickets_created/tickets?${period}&groupBy=tag&value=billing`), ['D', 'B']);
    // Without a value, the tickets behind the total (C, with no tag, too), as without the grouping.
    assert.deepEqual(await subjects(`/api/v1/reports/tickets_created/tickets?${period}&groupBy=tag`), await subjects(`/api/v1/reports/tickets_created/tickets?${period}`));
    assert.deepEqual((await subjects(`/api/v1/reports/full_resolution_time/tickets?${period}&groupBy=week&value=2026-03-02`)).sort(), ['A', 'B', 'D']);
    assert.deepEqual((await subjects(`/api/v1/reports/full_resolution_time/tickets?${period}&groupBy=month&value=2026-03`)).sort(), ['A', 'B', 'D']);
    assert.deepEqual(await subjects(`/api/v1/reports/full_resolution_time/tickets?${period}&groupBy=day&value=2026-03-02`), ['B', 'A']);
    assert.deepEqual(await subjects(`/api/v1/reports/full_resolution_time/tickets?${period}&groupBy=day&value=2026-03-04`), []);

    const csv = await t.as(agent).get(`/api/v1/reports/agent_wait_time?${period}&groupBy=day`, { accept: 'text/csv' });
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.equal(csv.raw.split('\r\n')[0], '"day","count","avg","p50","p90","avgBusiness","p50Business","p90Business"');
    const m = bucketMiddle(5400);
    assert.equal(csv.raw.split('\r\n')[2], `"2026-03-03","1","5400","${m}","${m}","5400","${m}","${m}"`);
    assert.equal((await t.as(agent).get(`/api/v1/reports/tickets_created?${period}&format=csv`)).raw, '"period","tickets"\r\n"2026-03-02T00:00:00.000Z/2026-03-04T00:00:00.000Z","4"\r\n');

    const why = await t.as(agent).get(`/api/v1/tickets/${ids.D}/metrics`);
    assert.equal(why.status, 200, why.raw);
    assert.equal(why.body.metrics.frtS, 63000);
    assert.equal(why.body.metrics.frtBs, 5400);
    assert.equal(why.body.metrics.slaFirstResponse, 'met');
    const notes = why.body.trace.map((e: { note: string }) => e.note).join('\n');
    assert.match(notes, /First public agent reply: first response time 17\.5 h \(90 min business\)/);
    assert.match(notes, /pending → open: 90 min \(90 min business\) counted as agent wait/);
    assert.equal((await t.as(customer).get(`/api/v1/tickets/${ids.D}/metrics`)).status, 403);
    assert.equal((await t.as(customer).get(`/api/v1/reports/tickets_created`)).status, 403);
    const list = await t.as(agent).get('/api/v1/reports');
    assert.ok(list.body.items.some((d: { key: string }) => d.key === 'one_touch_resolution'));
  });

  test('the rebuild from the event log gives the same rows as the live path', async () => {
    const live = await rows();
    assert.equal(live.length, 4);
    // C was only created: its row is the one the creation statement wrote, on the calendar the SLA step then chose.
    const c = live.find((r) => r.ticket_id === ids.C);
    assert.equal(c?.requester_replies, 1);
    assert.ok(c?.calendar_id, 'the creation statement wrote the SLA calendar');
    await t.database.db.execute(sql`delete from ticket_metrics`);
    // A row whose ticket is gone (the store has no foreign key): the rebuild drops it.
    await t.database.db.execute(
      sql`insert into ticket_metrics (ticket_id, number, created_at, channel, status_category, state_since, last_event_id) values (gen_random_uuid(), 999, now(), 'api', 'new', now(), 0)`,
    );
    const progress: number[] = [];
    const result = await t.services.reportsStore.rebuild({ pageSize: 3, onProgress: (done) => void progress.push(done) });
    assert.equal(result.tickets, 4);
    // Pages of at most 3, counted up to every ticket (on the server in two key ranges side by side, so not always 3 then 4).
    assert.equal(progress.at(-1), 4);
    assert.ok(progress.every((n, i) => n > (progress[i - 1] ?? 0) && n - (progress[i - 1] ?? 0) <= 3), String(progress));
    assert.deepEqual(await rows(), live);
  });

  test('bad report queries are refused with a specific problem and change nothing', async () => {
    const problem = async (url: string, status: number, code: string, path?: string) => {
      const res = await t.as(agent).get(url);
      assert.equal(res.status, status, `${url}: ${res.raw}`);
      assert.equal(res.body.code, code, url);
      if (path) assert.equal(res.body.errors[0].path, path, url);
      return res.body;
    };
    await problem('/api/v1/reports/happiness', 404, 'UNKNOWN_METRIC');
    await problem('/api/v1/reports/tickets_created?colour=red', 400, 'INVALID_REPORT_QUERY', 'query.colour');
    await problem('/api/v1/reports/tickets_created?groupBy=weather', 400, 'INVALID_REPORT_QUERY', 'query.groupBy');
    await problem('/api/v1/reports/tickets_created?groupBy=age', 400, 'INVALID_REPORT_QUERY', 'query.groupBy');
    const backwards = await problem('/api/v1/reports/tickets_created?from=2026-03-04&to=2026-03-02', 400, 'INVALID_REPORT_QUERY', 'query.to');
    assert.match(backwards.detail, /ends .* before it starts/);
    await problem('/api/v1/reports/tickets_created?from=2020-01-01&to=2026-03-02', 400, 'INVALID_REPORT_QUERY', 'query.from');
    await problem('/api/v1/reports/tickets_created?from=yesterday', 400, 'INVALID_REPORT_QUERY', 'query.from');
    await problem('/api/v1/reports/tickets_created?group=sales', 400, 'INVALID_REPORT_QUERY', 'query.group');
    await problem('/api/v1/reports/tickets_created?channel=pigeon', 400, 'INVALID_REPORT_QUERY', 'query.channel');
    // The schema refuses a filter given twice, naming it.
    await problem('/api/v1/reports/tickets_created?tag=a&tag=b', 400, 'VALIDATION_FAILED', 'querystring.tag');
    await problem('/api/v1/reports/tickets_created/tickets?value=x', 400, 'INVALID_REPORT_QUERY', 'query.value');
    await problem('/api/v1/reports/tickets_created/tickets?cursor=-4', 400, 'INVALID_REPORT_QUERY', 'query.cursor');
    // An offset (the list's cursors before keyset paging) and a cursor with a mangled id.
    await problem('/api/v1/reports/tickets_created/tickets?cursor=3', 400, 'INVALID_REPORT_QUERY', 'query.cursor');
    await problem('/api/v1/reports/tickets_created/tickets?cursor=1772442000000000_not-an-id', 400, 'INVALID_REPORT_QUERY', 'query.cursor');
    assert.equal(await t.count('ticket_metrics'), 4);
    // Without METRICS_TOKEN, /metrics does not exist.
    assert.equal((await t.request('GET', '/metrics', undefined, { authorization: 'Bearer anything-at-all-here' })).body.code, 'NOT_FOUND');
  });

  test('satisfaction and incident metrics: the same API, filters and drill-down; incidents take no ticket filters and have no tickets behind them', async () => {
    // The solves above scheduled surveys (B's first one was cancelled by its reopen); they went out as jobs ran.
    at('2026-03-05T12:00:00Z');
    await t.runJobs();
    const sentSurveys = rowsOf<{ ticket_id: string }>(await t.database.db.execute(sql`select ticket_id from csat_surveys where sent_at is not null`));
    assert.deepEqual(sentSurveys.map((r) => r.ticket_id).sort(), [ids.A, ids.B, ids.D].sort());
    const rate = (id: string, body: Record<string, string>) => t.as(customer).post(`/api/v1/portal/tickets/${id}/satisfaction`, body);
    assert.equal((await rate(ids.A, { rating: 'good', comment: 'Quick and clear' })).status, 200);
    assert.equal((await rate(ids.D, { rating: 'bad' })).status, 200);
    const csatPeriod = 'from=2026-03-01&to=2026-03-08';
    const csat = await t.as(agent).get(`/api/v1/reports/satisfaction?${csatPeriod}`);
    assert.equal(csat.status, 200, csat.raw);
    // Sent 3 (A, B, D), answered 2: good 1 of 2 = 50 %, response 2 of 3, comments 1 of 2.
    assert.deepEqual(csat.body.values, { satisfaction: 50, good: 1, bad: 1, badRate: 50, responseRate: 66.7, commentRate: 50, answered: 2, sent: 3 });
    assert.match(csat.body.metric.definition, /response rate = answered ÷ sent/);
    const billing = await t.as(agent).get(`/api/v1/reports/satisfaction?${csatPeriod}&tag=billing`);
    assert.deepEqual([billing.body.values.sent, billing.body.values.bad, billing.body.values.satisfaction], [2, 1, 0]);
    const behind = await t.as(agent).get(`/api/v1/reports/satisfaction/tickets?${csatPeriod}`);
    assert.deepEqual(behind.body.items.map((i: { subject: string; value: number | null }) => [i.subject, i.value]).sort(), [['A', 1], ['B', null], ['D', 0]]);

    // An incident detected at 09:50, declared (and so acknowledged by its lead) at 10:00, resolved at 11:00.
    at('2026-03-05T10:00:00Z');
    const incident = await t.as(agent).post('/api/v1/incidents', { title: 'Sync is down', severity: 'P1', startedAt: '2026-03-05T09:45:00Z', detectedAt: '2026-03-05T09:50:00Z' });
    assert.equal(incident.status, 201, incident.raw);
    at('2026-03-05T11:00:00Z');
    assert.equal((await t.as(agent).post(`/api/v1/incidents/${incident.body.id}/state`, { state: 'resolved' })).status, 200);
    const tta = await t.as(agent).get(`/api/v1/reports/incident_time_to_acknowledge?${csatPeriod}&groupBy=severity`);
    assert.equal(tta.status, 200, tta.raw);
    assert.deepEqual(tta.body.values, { count: 1, avg: 600, p50: 600, p90: 600 });
    assert.deepEqual(tta.body.groups.map((g: { key: string }) => g.key), ['P1']);
    assert.equal((await t.as(agent).get(`/api/v1/reports/incident_time_to_resolve?${csatPeriod}`)).body.values.avg, 4200);
    const filtered = await t.as(agent).get(`/api/v1/reports/incident_time_to_resolve?${csatPeriod}&tag=billing`);
    assert.equal(filtered.status, 400);
    assert.equal(filtered.body.errors[0].path, 'query.tag');
    assert.equal((await t.as(agent).get(`/api/v1/reports/incident_time_to_resolve?${csatPeriod}&groupBy=agent`)).body.errors[0].path, 'query.groupBy');
    const noTickets = await t.as(agent).get(`/api/v1/reports/incident_time_to_resolve/tickets?${csatPeriod}`);
    assert.equal(noTickets.status, 400);
    assert.equal(noTickets.body.code, 'INVALID_REPORT_QUERY');
  });

  test("digests go out at each recipient's local time, exactly once, across both DST changes; bad settings change nothing", async () => {
    const address = await t.as(admin).post('/api/v1/email/addresses', { address: 'help@example.org', name: 'Help' });
    assert.equal(address.status, 201, address.raw);
    const group = await t.make.group('<b>Billing & Co</b>', [agent]);
    const save = (items: unknown[]) => t.as(agent).put('/api/v1/reports/digests', { items });
    const refused = async (items: unknown[], status: number, code: string, path: string) => {
      const res = await save(items);
      assert.equal(res.status, status, res.raw);
      assert.equal(res.body.code, code);
      assert.equal(res.body.errors[0].path, path);
    };
    await refused([{ kind: 'daily', localTime: '08:00', timeZone: 'Mars/Olympus_Mons' }], 422, 'UNKNOWN_TIME_ZONE', 'body.items.0.timeZone');
    await refused([{ kind: 'daily', localTime: '25:00', timeZone: 'UTC' }], 400, 'VALIDATION_FAILED', 'body.items.0.localTime');
    await refused([{ kind: 'hourly', localTime: '08:00', timeZone: 'UTC' }], 400, 'VALIDATION_FAILED', 'body.items.0.kind');
    await refused([{ kind: 'weekly', localTime: '08:00', timeZone: 'UTC', groupIds: ['00000000-0000-4000-8000-000000000000'] }], 404, 'GROUP_NOT_FOUND', 'body.items.0.groupIds.0');
    await refused([{ kind: 'daily', localTime: '08:00', timeZone: 'UTC' }, { kind: 'daily', localTime: '09:00', timeZone: 'UTC' }], 400, 'VALIDATION_FAILED', 'body.items.1.kind');
    assert.deepEqual((await t.as(agent).get('/api/v1/reports/digests')).body.items, []);
    assert.equal((await t.as(customer).get('/api/v1/reports/digests')).status, 403);

    const sent = async () =>
      rowsOf<{ subject: string; body_text: string; created_at: Date | string }>(
        await t.database.db.execute(sql`select subject, body_text, created_at from outbound_emails where kind = 'digest' and to_address = ${agent.user.email} order by created_at, id`),
      ).map((r) => ({ at: new Date(r.created_at).toISOString(), subject: r.subject, text: r.body_text }));
    // The digests schedule's run (every minute; the schedule runner itself is schedules.test's) and the worker,
    // every 30 minutes of fake time from `from` to `to` (the other modules' schedules would only cost time here).
    assert.ok(t.services.schedules.names().includes('reports.digests'));
    const drive = async (from: string, to: string) => {
      for (let now = Date.parse(from); now <= Date.parse(to); now += 30 * 60_000) {
        t.clock.set(new Date(now));
        if ((await t.services.digests.enqueueDue()) > 0) await t.runJobs();
      }
    };

    // Spring forward in New York: Sunday 2026-03-08 02:00 EST becomes 03:00 EDT; 02:30 does not exist that day.
    at('2026-03-07T12:00:00Z');
    const saved = await save([
      { kind: 'daily', localTime: '02:30', timeZone: 'America/New_York' },
      { kind: 'weekly', localTime: '08:00', timeZone: 'America/New_York', weekday: 7, groupIds: [group.id] },
    ]);
    assert.equal(saved.status, 200, saved.raw);
    assert.deepEqual(
      saved.body.items.map((i: { kind: string; nextAt: string }) => [i.kind, i.nextAt]),
      [
        ['daily', '2026-03-08T07:00:00.000Z'],
        ['weekly', '2026-03-08T12:00:00.000Z'],
      ],
    );
    await drive('2026-03-07T12:00:00Z', '2026-03-09T07:00:00Z');
    const spring = await sent();
    assert.deepEqual(
      spring.map((m) => [m.at, m.subject.split(':')[0]]),
      [
        // Saved after Saturday's 02:30: the first daily is Sunday's, at 03:00 EDT, the first instant after the gap.
        ['2026-03-08T07:00:00.000Z', 'Daily check'],
        ['2026-03-08T12:00:00.000Z', 'Weekly report'],
        ['2026-03-09T06:30:00.000Z', 'Daily check'],
      ],
    );
    // The daily check's numbers are the dashboard's: C is the one ticket open (created Tue, 3-7 days old), none new.
    const daily = spring[0]?.text ?? '';
    assert.match(daily, /New since yesterday: 0/);
    assert.match(daily, /Open now: 1 \(before: 1, same\)/);
    assert.match(daily, /3-7 days: 1/);
    assert.match(daily, /Open the live report: http:\/\/localhost:\d+\/reports/);
    const dashboard = await t.as(agent).get('/api/v1/reports/backlog?from=2026-03-07T07:00:00Z&to=2026-03-08T07:00:00Z');
    assert.equal(dashboard.body.values.tickets, 1);
    // Another process's schedule tick, and the same minute again, send nothing more.
    assert.equal(await t.services.digests.enqueueDue(), 0);
    await t.runJobs();
    assert.equal((await sent()).length, 3);

    // The group's name is data: escaped in the HTML part.
    const weekly = renderDigest(await t.services.digests.build(await t.services.people.actorFor(agent.user), 'weekly', { groupIds: [group.id], timeZone: 'America/New_York' }, new Date('2026-03-08T12:00:00Z')));
    assert.match(weekly.html, /&lt;b&gt;Billing &amp; Co&lt;\/b&gt;/);
    assert.doesNotMatch(weekly.html, /<b>Billing|<script/);
    assert.match(weekly.text, /Top 5 issues \(tags\):/);

    // Fall back in New York: Sunday 2026-11-01 01:00–02:00 happens twice; the 1st is also the monthly review's day.
    at('2026-10-31T12:00:00Z');
    assert.equal((await save([{ kind: 'daily', localTime: '01:30', timeZone: 'America/New_York' }, { kind: 'monthly', localTime: '08:00', timeZone: 'America/New_York' }])).status, 200);
    await drive('2026-10-31T12:00:00Z', '2026-11-01T14:00:00Z');
    const autumn = (await sent()).slice(3);
    assert.deepEqual(
      autumn.map((m) => [m.at, m.subject.split(':')[0]]),
      [
        // 01:30 EDT, the first of the two; 01:30 EST an hour later sends nothing.
        ['2026-11-01T05:30:00.000Z', 'Daily check'],
        // 08:00 EST on the day clocks went back.
        ['2026-11-01T13:00:00.000Z', 'Monthly review'],
      ],
    );
    assert.match(autumn[1]?.text ?? '', /Period: 2026-10-01 to 2026-10-31 \(America\/New_York\)/);
    assert.equal(await t.count('digest_sends'), 5);
  });

  test('a report past its time budget is cut with a clear message (PostgreSQL server)', { skip: !process.env.TEST_DATABASE_URL && 'PGlite runs one query at a time and has no statement timeout' }, async () => {
    const reports = t.services.reports as unknown as { read: (fn: (db: typeof t.database.db) => Promise<unknown>) => Promise<unknown>; ctx: { config: { reportsTimeoutMs: number } } };
    const budget = reports.ctx.config.reportsTimeoutMs;
    reports.ctx.config.reportsTimeoutMs = 200;
    try {
      await assert.rejects(
        reports.read((db) => db.execute(sql`select pg_sleep(5)`)),
        (e: Error & { code?: string }) => e.code === 'REPORT_TIMEOUT' && /longer than its 0\.2 s budget/.test(e.message),
      );
    } finally {
      reports.ctx.config.reportsTimeoutMs = budget;
    }
  });
});
