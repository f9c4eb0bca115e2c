import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { ROLLUP_METRICS } from './rollups.service.js';

/**
 * The per-day rollups give the numbers the live path gives, to the digit: 600 seeded reporting rows over seven
 * weeks (durations from a few seconds to days, null milestones, several tags, unassigned tickets), every metric
 * with state, unfiltered, grouped, filtered, over periods that start and end mid-day, and after an older ticket
 * changes (its day reads live until the schedule has rebuilt it).
 */
describe('reports: per-day rollups', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let customer: Session;
  const NOW = '2026-03-20T12:00:00Z';
  const A = ['0b9c7e1a-1111-4c1e-9a44-3b1d7a2e0001', '0b9c7e1a-1111-4c1e-9a44-3b1d7a2e0002', '0b9c7e1a-1111-4c1e-9a44-3b1d7a2e0003'];
  const G = ['0b9c7e1a-2222-4c1e-9a44-3b1d7a2e0001', '0b9c7e1a-2222-4c1e-9a44-3b1d7a2e0002'];
  // Part-days at both ends; whole days only; a whole month (February: its merged month rows) and days after it.
  const PERIODS = ['from=2026-02-20T05:30:00Z&to=2026-03-20T12:00:00Z', 'from=2026-03-01&to=2026-03-15', 'from=2026-02-01&to=2026-03-10'];
  const VARIANTS = [
    '',
    '&groupBy=day',
    '&groupBy=week',
    '&groupBy=month',
    '&groupBy=agent',
    '&groupBy=group',
    '&groupBy=tag',
    '&groupBy=channel',
    '&groupBy=type',
    `&agent=${A[0]}`,
    `&agent=${A[1]?.toUpperCase()}&groupBy=day`,
    `&agent=${A[0]}&groupBy=agent`,
    '&tag=a',
    '&tag=b&groupBy=week',
    '&channel=email&groupBy=month',
    `&group=${G[0]}&groupBy=group`,
    // Not held by the rollups (two dimensions, two filters): read live either way.
    `&agent=${A[0]}&groupBy=channel`,
    `&agent=${A[0]}&channel=web`,
  ];

  const report = async (metric: string, q: string, rollups: boolean) => {
    t.services.reports.useRollups = rollups;
    const res = await t.as(admin).get(`/api/v1/reports/${metric}?${q}`);
    t.services.reports.useRollups = true;
    assert.equal(res.status, 200, `${metric}?${q} (rollups ${rollups}): ${res.raw}`);
    return res.body;
  };
  const bothAgree = async (metrics: readonly { key: string }[], variants: string[]) => {
    for (const { key } of metrics) {
      for (const period of PERIODS) {
        for (const v of variants) {
          const live = await report(key, period + v, false);
          const rolled = await report(key, period + v, true);
          assert.deepEqual(rolled, live, `${key}?${period}${v}`);
        }
      }
    }
  };
  const months = async () => rowsOf<{ month: string }>(await t.database.db.execute(sql`select month::text as month from report_rollup_months order by 1`)).map((r) => r.month);
  const days = async () => rowsOf<{ day: string; version: number; built_version: number | null }>(await t.database.db.execute(sql`select day::text as day, version, built_version from report_rollup_days order by day`));

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    t.clock.set(new Date(NOW));
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    // Reporting rows as the fold writes them, spread over 1 February to 20 March (some milestones after now).
    await t.database.db.execute(sql`
      insert into ticket_metrics (ticket_id, number, created_at, channel, status_category, state_since, last_event_id,
        assignee_id, group_id, type, product_area, tags, first_reply_at, frt_s, frt_bs, first_solved_at, first_resolution_s,
        first_resolution_bs, solved_at, full_resolution_s, full_resolution_bs, reopened_at, reopens, agent_replies,
        requester_replies, agent_touches, reassignments, escalations, requester_wait_s, requester_wait_bs, agent_wait_s,
        on_hold_s, sla_first_response, sla_resolution)
      select gen_random_uuid(), 100000 + i, c, (array['email', 'web', 'api'])[1 + i % 3], case when solved then 'solved' else 'open' end, c, 0,
        (array[${A[0]}, ${A[1]}, ${A[2]}, null])[1 + i % 4]::uuid, (array[${G[0]}, ${G[1]}, null])[1 + i % 3]::uuid,
        (array['question', 'incident', null])[1 + i % 3], (array['billing', null])[1 + i % 2],
        case i % 4 when 0 then '{a}'::text[] when 1 then '{a,b}'::text[] when 2 then '{}'::text[] else '{c}'::text[] end,
        case when replied then c + f * interval '1 second' end, case when replied then f end, case when replied then f / 3 end,
        case when solved then c + r * interval '1 second' end, case when solved then r end, case when solved then r / 2 end,
        case when solved then c + (r + i % 5 * 3600) * interval '1 second' end, case when solved then r + i % 5 * 3600 end, case when solved then (r + i % 5 * 3600) / 2 end,
        case when solved and i % 5 > 0 then c + r * interval '1 second' + interval '1 hour' end, case when solved and i % 5 > 0 then 1 else 0 end,
        i % 3, 1 + i % 4, i % 6, i % 7 / 5, i % 11 / 9, r / 4, r / 8, i * 13 % 5000, i * 7 % 900,
        (array['met', 'breached', null])[1 + i % 3], (array['met', null])[1 + i % 2]
      from (select i, '2026-02-01T00:00:00Z'::timestamptz + (i * 9973 % (48 * 86400)) * interval '1 second' as c,
                   case when i % 10 = 0 then i % 97 else i * 7919 % 200000 end as f, 3600 + i * 104729 % 400000 as r,
                   i % 7 <> 0 as replied, i % 4 <> 1 as solved
            from generate_series(1, 600) as i) s`);
    const built = await t.services.reportRollups.refresh();
    // 1 February to 18 March: today (20 March) and yesterday are never built; February is whole, March is not.
    assert.equal(built.days, 46);
    assert.deepEqual(await months(), ['2026-02-01']);
  });
  after(() => t.close());

  test('every metric with state gives the same report from the rollups as live, grouped and filtered', async () => {
    assert.ok(ROLLUP_METRICS.length >= 20, `${ROLLUP_METRICS.length} metrics with state`);
    await bothAgree(ROLLUP_METRICS, VARIANTS);
    // The defaults of the top metrics (grouped by their own dimension, ranked) too.
    await bothAgree(
      ROLLUP_METRICS.filter((d) => d.top),
      [''],
    );
  });

  test('a report reads built days from the rollups: rows the store lost since are still counted there', async () => {
    const q = 'from=2026-03-01&to=2026-03-15';
    const before = (await report('tickets_created', q, true)).values.tickets;
    assert.equal(before, (await report('tickets_created', q, false)).values.tickets);
    const [gone] = rowsOf<{ n: number }>(await t.database.db.execute(sql`with d as (delete from ticket_metrics where created_at >= '2026-03-03' and created_at < '2026-03-04' returning 1) select count(*)::int as n from d`));
    assert.ok((gone?.n ?? 0) > 0);
    assert.equal((await report('tickets_created', q, true)).values.tickets, before);
    assert.equal((await report('tickets_created', q, false)).values.tickets, before - (gone?.n ?? 0));
    // Rebuilt from the store (what `lifeline reports rebuild` ends with), they agree again.
    await t.services.reportRollups.rebuildAll();
    assert.equal((await report('tickets_created', q, true)).values.tickets, before - (gone?.n ?? 0));
    // A whole month is read from its month rows: a February day's rows lost from the store still count there.
    const feb = 'from=2026-02-01&to=2026-03-01';
    const inFeb = (await report('tickets_created', feb, true)).values.tickets;
    await t.database.db.execute(sql`delete from ticket_metrics where created_at >= '2026-02-11' and created_at < '2026-02-12'`);
    assert.equal((await report('tickets_created', feb, true)).values.tickets, inFeb);
    assert.ok((await report('tickets_created', feb, false)).values.tickets < inFeb);
    await t.services.reportRollups.rebuildAll();
    assert.deepEqual(await months(), ['2026-02-01']);
    assert.equal((await report('tickets_created', feb, true)).values.tickets, (await report('tickets_created', feb, false)).values.tickets);
  });

  test('a change to an older ticket makes its days read live until the schedule rebuilds them; a new ticket marks nothing', async () => {
    t.clock.set(new Date('2026-02-10T10:00:00Z'));
    const old = await t.make.ticket(customer, { subject: 'Old one', tags: ['a'] });
    t.clock.set(new Date(NOW));
    await t.services.reportRollups.refresh();
    const clean = await days();
    assert.ok(clean.every((d) => d.built_version === d.version));

    // A new ticket and a reply to it: every milestone is today, no day is touched.
    const fresh = await t.make.ticket(customer, { subject: 'New one' });
    assert.ok((await t.as(agent).post(`/api/v1/tickets/${fresh.id}/messages`, { body: 'Hello' })).status < 300);
    assert.deepEqual(await days(), clean);

    // The first reply to a ticket created on 10 February: that day goes stale (the reply's day is today), and with it
    // February's month rows (read from its other days' rows and that day live meanwhile).
    assert.ok((await t.as(agent).post(`/api/v1/tickets/${old.id}/messages`, { body: 'Late, sorry', status: 'solved' })).status < 300);
    const stale = (await days()).filter((d) => d.built_version !== d.version).map((d) => d.day);
    assert.deepEqual(stale, ['2026-02-10']);
    assert.equal((await t.services.reportRollups.usableMonths(t.database.db, ['2026-02-01'])).size, 0);
    await bothAgree(
      ROLLUP_METRICS.filter((d) => ['tickets_created', 'first_response_time', 'sla_first_response', 'top_tags'].includes(d.key)),
      ['', '&groupBy=day', '&tag=a'],
    );
    assert.equal((await t.services.reportRollups.refresh()).days, 1);
    assert.ok((await days()).every((d) => d.built_version === d.version));
    assert.equal((await t.services.reportRollups.usableMonths(t.database.db, ['2026-02-01'])).size, 1);
    await bothAgree(
      ROLLUP_METRICS.filter((d) => ['tickets_created', 'agent_touches'].includes(d.key)),
      ['', '&groupBy=tag', '&groupBy=month'],
    );
  });
});
