/**
 * Reports at scale (PostgreSQL), in-process on a fresh database: N tickets (BENCH_REPORTS_TICKETS, default 100,000;
 * the issue's target is 1,000,000) from the shared generator, extended here with the events reports read — each
 * message as `message_added` (agents' public replies, customers' messages, notes), a solve for every solved or
 * closed ticket, and for 6 % of those a reopen and a second solve. Measures:
 *  - `lifeline reports rebuild` (ReportsStore.rebuild): tickets/s;
 *  - the per-day rollups: building every day (as the reports.rollups schedule does on a fresh store), rows and size;
 *  - each dashboard widget (the Reports screen's tiles and charts) over 30 days and over a year: p50/p95 of 5 runs,
 *    live only and with the rollups, alternating;
 *  - the whole dashboard (every widget at once, as the screen asks): p95, live only and with the rollups;
 *  - the first page of a drill-down (the tickets behind "created in the last 30 days");
 *  - `drilldown`: the first page of a drill-down as it was (offset over a distinct sort) and as it is (keyset), back
 *    to back on the same data, with both plans;
 *  - ticket creation with the metrics step vs with it doing nothing: the overhead in %.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase, rowsOf } from '../src/db/client.js';
import { generateBase, generateTickets } from './generate.js';

const loadavg = () => os.loadavg().map((x) => round(x)).join(' ');

const round = (x: number) => Math.round(x * 100) / 100;
const DAY = 86_400_000;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * The events the generator does not write: replies, state changes, solves, reopens — at the rates its tickets already
 * imply: every ticket past `new` was opened half an hour after creation; pending and on-hold ones were set so three
 * hours in (sooner for a ticket younger than that); solved and closed ones were solved at their solved_at (6 % of
 * those solved over a day ago reopened two hours later and solved again a day after), closed ones closed at their
 * closed_at. One insert ordered by ticket and time, so each ticket's
 * events have ids in the order they happened (the fold reads them by id).
 */
async function addReportEvents(database: Database): Promise<void> {
  const db = database.db;
  await db.execute(sql`
    insert into ticket_events (ticket_id, actor_id, actor_type, kind, field, from_value, to_value, public, at)
    select ticket_id, actor_id, actor_type, kind, field, from_value, to_value, public, at from (
      select m.ticket_id, m.author_id as actor_id, 'person' as actor_type, 'message_added' as kind, null as field, null::jsonb as from_value,
        jsonb_build_object('messageId', m.id, 'public', m.public, 'direction', m.direction, 'channel', m.channel,
          'author', case when m.direction = 'inbound' then 'requester' else 'agent' end) as to_value,
        m.public, m.created_at as at
      from messages m
      union all
      select t.id, null, 'system', 'field_changed', 'status', to_jsonb(x.f), to_jsonb(x.t), true, x.at
      from tickets t cross join lateral (values
        ('new', 'open', t.created_at + least(interval '30 minutes', (now() - t.created_at) * 0.1), t.status <> 'new'),
        ('open', t.status, t.created_at + least(interval '3 hours', (now() - t.created_at) * 0.3), t.status in ('pending', 'on_hold')),
        ('open', 'solved', t.solved_at, t.solved_at is not null),
        ('solved', 'open', t.solved_at + interval '2 hours', t.solved_at < now() - interval '26 hours' and abs(hashtext(t.id::text)) % 100 < 6),
        ('open', 'solved', t.solved_at + interval '26 hours', t.solved_at < now() - interval '26 hours' and abs(hashtext(t.id::text)) % 100 < 6),
        ('solved', 'closed', t.closed_at, t.closed_at is not null)) as x(f, t, at, happened)
      where x.happened) e
    order by ticket_id, at`);
  await db.execute(sql`analyze ticket_events`);
}

/**
 * `parts` picks what to measure (default: everything); `reuse` skips generation when the database already holds
 * the bench's tickets (a standalone run with BENCH_REUSE=1 measures again without generating a million again).
 */
export async function measureReports(
  database: Database,
  dataDir: string,
  log: (...a: unknown[]) => void,
  o: { parts?: readonly string[]; reuse?: boolean } = {},
) {
  const total = Number(process.env.BENCH_REPORTS_TICKETS ?? 100_000);
  const part = (name: string) => !o.parts || o.parts.includes(name);
  const [have] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from tickets`));
  if (!o.reuse || !have?.n) {
    await generateBase(database.db, { organizations: 200, customers: 10_000, agentsPerGroup: 5 });
    log(`reports: generating ${total} tickets`);
    const t0 = performance.now();
    await generateTickets(database.db, total, (done) => log(`  generated ${done}/${total}`));
    await addReportEvents(database);
    log(`  generated in ${Math.round(performance.now() - t0)} ms (load ${loadavg()})`);
  }
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', REPORTS_TIMEOUT_MS: '60000' }), database);
  await services.ctx.cache.start();
  const email = `bench-lead-${Date.now()}@example.org`;
  const actor = await services.people.actorFor(await services.people.createUser({ email, name: 'Bench Lead', role: 'admin', password: 'correct horse battery staple' }));
  const [counted] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from tickets`));
  const out: Record<string, unknown> = { tickets: counted?.n, loadBefore: loadavg() };
  if (part('creation')) {
    log('reports: creation with and without the metrics step');
    out.creation = { ...(await measureCreation(services, actor)), load: loadavg() };
  }
  if (part('drilldown')) {
    log(`reports: drill-down, the query before keyset paging and the service now, alternating (load ${loadavg()})`);
    out.drillDown = await measureDrillDown(database, services, actor, log);
  }
  if (!part('rebuild') && !part('widgets')) return out;

  if (part('rebuild')) {
    // From an empty store, as after restoring an old backup (a database kept from an earlier run has its rows).
    await database.db.execute(sql`truncate ticket_metrics`);
    log(`reports: rebuild (load ${loadavg()})`);
    let shown = 0;
    // Node's own CPU time against the wall time: how much of the rebuild is this process (the fold, COPY text) and
    // how much waits on the server.
    const cpu0 = process.cpuUsage();
    let cpu = process.cpuUsage(cpu0);
    const rebuild = await services.reportsStore.rebuild({
      pageSize: 5000,
      onStep: (step) => {
        if (step === 'rollups') cpu = process.cpuUsage(cpu0);
        log(`  ${step} (load ${loadavg()})`);
      },
      onProgress: (done, all) => {
        if (done - shown >= all / 10) {
          shown = done;
          log(`  rebuilt ${done}/${all}`);
        }
      },
    });
    // What autovacuum does after a bulk insert (its insert threshold): statistics, and the visibility map that lets
    // the backlog count from its index alone. Timed apart from the rebuild.
    const vacuumMs = await timed(() => database.db.execute(sql`vacuum analyze ticket_metrics`));
    out.rebuild = { tickets: rebuild.tickets, ms: rebuild.ms, stepMs: rebuild.stepMs, ticketsPerSecond: Math.round((rebuild.tickets / rebuild.ms) * 1000), rollups: rebuild.rollups, nodeCpuMsBeforeRollups: Math.round((cpu.user + cpu.system) / 1000), load: loadavg(), vacuumMs: Math.round(vacuumMs) };
  }
  if (!part('widgets')) return out;

  // The Reports screen's widgets (web/src/reports/ReportsPage.tsx): tiles, charts, the per-agent table.
  const widgets: [string, Record<string, string>][] = [
    ['tickets_created', {}],
    ['tickets_solved', {}],
    ['backlog', {}],
    ['first_response_time', {}],
    ['full_resolution_time', {}],
    ['reopen_rate', {}],
    ['one_touch_resolution', {}],
    ['sla_first_response', {}],
    ['tickets_created', { groupBy: 'day' }],
    ['first_response_time', { groupBy: 'day' }],
    ['backlog', { groupBy: 'age' }],
    ['top_tags', {}],
    ['tickets_solved', { groupBy: 'agent' }],
    ['first_response_time', { groupBy: 'agent' }],
  ];
  // The per-day rollups: whatever days are missing or stale (all of them on a fresh database), as the schedule builds them.
  log(`reports: rollups (load ${loadavg()})`);
  let built = { days: 0 };
  const buildMs = await timed(async () => {
    built = await services.reportRollups.refresh();
  });
  const [size] = rowsOf<{ rows: number; mb: number }>(
    await database.db.execute(sql`select (select count(*)::int from report_rollups) as rows, round(pg_total_relation_size('report_rollups') / 1048576.0, 1)::float8 as mb`),
  );
  out.rollups = { days: built.days, buildMs: Math.round(buildMs), rows: size?.rows, mb: size?.mb, load: loadavg() };
  await database.db.execute(sql`vacuum analyze report_rollups`);

  // Each widget and the whole dashboard read live only and with the rollups, alternating run by run.
  const now = new Date();
  // BENCH_REPORTS_PERIODS=year (or 30d) measures one of the two.
  const periods = Object.fromEntries(Object.entries({ '30d': 30, year: 365 }).filter(([name]) => !process.env.BENCH_REPORTS_PERIODS || process.env.BENCH_REPORTS_PERIODS.split(',').includes(name)));
  type Pair = { live: ReturnType<typeof stats>; rollups: ReturnType<typeof stats> };
  const widgetStats: Record<string, Record<string, Pair>> = {};
  const dashboards: Record<string, Pair & { load: string }> = {};
  const both = async (fn: () => Promise<unknown>, n: number): Promise<Pair> => {
    const live: number[] = [];
    const rolled: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const useRollups of i % 2 ? [true, false] : [false, true]) {
        services.reports.useRollups = useRollups;
        (useRollups ? rolled : live).push(await timed(fn));
      }
    }
    services.reports.useRollups = true;
    return { live: stats(live), rollups: stats(rolled) };
  };
  for (const [name, days] of Object.entries(periods)) {
    const range = { from: new Date(now.getTime() - days * DAY).toISOString(), to: now.toISOString() };
    widgetStats[name] = {};
    for (const [metric, extra] of widgets) {
      const req = services.reports.parse(metric, { ...range, ...extra });
      (widgetStats[name] as Record<string, Pair>)[`${metric}${extra.groupBy ? `/${extra.groupBy}` : ''}`] = await both(() => services.reports.run(actor, req), 5);
    }
    const whole = await both(() => Promise.all(widgets.map(([metric, extra]) => services.reports.run(actor, services.reports.parse(metric, { ...range, ...extra })))), 5);
    dashboards[name] = { ...whole, load: loadavg() };
    log(`  ${name}: dashboard p95 live ${whole.live.p95} ms, with rollups ${whole.rollups.p95} ms (load ${loadavg()})`);
  }
  const drillRuns: number[] = [];
  const drillReq = services.reports.parse('tickets_created', { from: new Date(now.getTime() - 30 * DAY).toISOString(), to: now.toISOString() });
  for (let i = 0; i < 10; i++) drillRuns.push(await timed(() => services.reports.tickets(actor, drillReq, { limit: 50 })));

  return {
    ...out,
    widgetsMs: widgetStats,
    dashboardMs: dashboards,
    drillDownFirstPageMs: stats(drillRuns),
    loadAfter: loadavg(),
  };
}

type Services = ReturnType<typeof buildServices>;
type Actor = Awaited<ReturnType<Services['people']['actorFor']>>;

/**
 * The first page of a drill-down (50 tickets): the statement as it was before keyset paging (an offset page over
 * `select distinct …`, which sorts every row of the period first) against the statement now, and `ReportsService.tickets`
 * end to end (its transaction with the time budget, the statement, the page's summaries), alternating, 10 runs each, with each query's plan (EXPLAIN ANALYZE, its top lines) from the same data: tickets created in the
 * last 30 days, first response time over 30 days, and one day's tickets of "created" grouped by day. And the tenth
 * page now (nine keyset steps in), for the cost of going further.
 */
async function measureDrillDown(database: Database, services: Services, actor: Actor, log: (...a: unknown[]) => void) {
  const [newest] = rowsOf<{ at: string | Date }>(await database.db.execute(sql`select max(created_at) as at from ticket_metrics`));
  const now = newest ? new Date(new Date(newest.at).getTime() + 1000) : new Date();
  const from = new Date(now.getTime() - 30 * DAY);
  const day = new Date(now.getTime() - 3 * DAY).toISOString().slice(0, 10);
  const range = { from: from.toISOString(), to: now.toISOString() };
  // `now` is the statement ReportsService.tickets sends for an admin (no visibility clause), for its plan.
  const keyset = (date: string, value: string, extra = sql``) =>
    sql`select ticket_id, (${sql.raw(date)}) as at, (extract(epoch from (${sql.raw(date)})) * 1000000)::bigint as us, (${sql.raw(value)})::float8 as value from ticket_metrics
        where (${sql.raw(date)} >= ${range.from}::timestamptz and ${sql.raw(date)} < ${range.to}::timestamptz and (${sql.raw(date)}) is not null ${extra})
        order by (${sql.raw(date)}) desc, ticket_id desc limit 51`;
  const cases: { name: string; metric: string; query: Record<string, string>; value?: string; old: ReturnType<typeof sql>; now: ReturnType<typeof sql> }[] = [
    {
      name: 'created, 30 days',
      metric: 'tickets_created',
      query: range,
      old: sql`select distinct ticket_id, created_at as at, (1)::float8 as value from ticket_metrics
               where created_at >= ${range.from}::timestamptz and created_at < ${range.to}::timestamptz order by 2 desc nulls last, 1 limit 51 offset 0`,
      now: keyset('created_at', '1'),
    },
    {
      name: 'first response time, 30 days',
      metric: 'first_response_time',
      query: range,
      old: sql`select distinct ticket_id, first_reply_at as at, (frt_s)::float8 as value from ticket_metrics
               where first_reply_at >= ${range.from}::timestamptz and first_reply_at < ${range.to}::timestamptz order by 2 desc nulls last, 1 limit 51 offset 0`,
      now: keyset('first_reply_at', 'frt_s'),
    },
    {
      name: `created on ${day} (grouped by day)`,
      metric: 'tickets_created',
      query: { ...range, groupBy: 'day' },
      value: day,
      old: sql`select distinct ticket_id, created_at as at, (1)::float8 as value from ticket_metrics
               where created_at >= ${range.from}::timestamptz and created_at < ${range.to}::timestamptz
                 and to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') = ${day}
               order by 2 desc nulls last, 1 limit 51 offset 0`,
      now: keyset(
        'created_at',
        '1',
        sql`and to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') = ${day} and created_at >= ${`${day}T00:00:00.000Z`}::timestamptz and created_at < ${new Date(new Date(`${day}T00:00:00Z`).getTime() + DAY).toISOString()}::timestamptz`,
      ),
    },
  ];
  const plan = async (q: ReturnType<typeof sql>) =>
    rowsOf<{ 'QUERY PLAN': string }>(await database.db.execute(sql`explain (analyze, costs off, timing off, summary on) ${q}`)).map((r) => r['QUERY PLAN']);
  const result: Record<string, unknown> = {};
  for (const c of cases) {
    const req = services.reports.parse(c.metric, c.query);
    const now = () => services.reports.tickets(actor, req, { limit: 50, value: c.value });
    await now();
    const before: number[] = [];
    const afterSql: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < 10; i++) {
      before.push(await timed(() => database.db.execute(c.old)));
      afterSql.push(await timed(() => database.db.execute(c.now)));
      after.push(await timed(now));
    }
    let cursor: string | undefined;
    const tenth: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const page = await services.reports.tickets(actor, req, { limit: 50, value: c.value, cursor });
      if (i === 9) tenth.push(performance.now() - t0);
      cursor = page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    result[c.name] = {
      beforeSqlMs: stats(before),
      afterSqlMs: stats(afterSql),
      afterServiceMs: stats(after),
      afterTenthPageMs: tenth[0] === undefined ? null : round(tenth[0]),
      planBefore: await plan(c.old),
      planAfter: await plan(c.now),
      load: loadavg(),
    };
    log(`  ${c.name}: statement before p95 ${stats(before).p95} ms, after ${stats(afterSql).p95} ms; service after p95 ${stats(after).p95} ms (load ${loadavg()})`);
  }
  return result;
}

/**
 * Ticket creation through the use case, with the metrics step and with it doing nothing (its private onEvents and
 * atCreation replaced), alternating one creation at a time so the machine's noise falls on both alike.
 */
export async function measureCreation(services: Services, actor: Actor, rounds = 16, perRound = 50) {
  // The step and its part in the creation statement (private; replaced here only).
  type Hooks = { onEvents: (...a: unknown[]) => Promise<void>; atCreation: (...a: unknown[]) => Promise<unknown> };
  const store = services.reportsStore as unknown as Hooks;
  const real: Hooks = { onEvents: store.onEvents, atCreation: store.atCreation };
  const skip: Hooks = { onEvents: async () => {}, atCreation: async () => undefined };
  const create = (i: number) => services.tickets.create(actor, { subject: `Bench ${i}`, description: 'Creation overhead.', format: 'text', requester: { email: `bench${i % 500}@example.org` }, tags: [], customFields: {}, followerIds: [], cc: [], attachmentIds: [] });
  const withStep: number[] = [];
  const without: number[] = [];
  // Warm-up: caches, prepared plans, the JIT.
  for (let i = 0; i < 30; i++) await create(-1 - i);
  // Alternating one creation at a time (pairs in either order), so the shared machine's drifting load falls on both.
  for (let i = 0; i < rounds * perRound; i++) {
    const pair = i % 2 ? ([without, skip, withStep, real] as const) : ([withStep, real, without, skip] as const);
    Object.assign(store, pair[1]);
    pair[0].push(await timed(() => create(2 * i)));
    Object.assign(store, pair[3]);
    pair[2].push(await timed(() => create(2 * i + 1)));
  }
  Object.assign(store, real);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    withMetricsMs: { ...stats(withStep), mean: round(mean(withStep)) },
    withoutMetricsMs: { ...stats(without), mean: round(mean(without)) },
    overheadPercent: round((mean(withStep) / mean(without) - 1) * 100),
    overheadP50Percent: round((stats(withStep).p50 / stats(without).p50 - 1) * 100),
  };
}

/**
 * Standalone: `npx tsx bench/reports.ts` on its own database `bench_reports` of the server at BENCH_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test; BENCH_REPORTS_DB names another). BENCH_REPORTS_PARTS=creation,rebuild,widgets,drilldown picks parts
 * (`none`: only generate);
 * BENCH_REUSE=1 keeps the generated database for the next run (otherwise it is dropped at the end).
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (...a: unknown[]) => console.error('[bench]', ...a);
  const base = new URL(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const name = process.env.BENCH_REPORTS_DB ?? 'bench_reports';
  const reuse = process.env.BENCH_REUSE === '1';
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
  if (!reuse || !exists) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await database.migrate();
  try {
    const parts = process.env.BENCH_REPORTS_PARTS?.split(',');
    const result = await measureReports(database, path.join(import.meta.dirname, '..', '.bench-data', 'reports'), log, { parts, reuse });
    console.log(JSON.stringify({ benchmark: 'reports', at: new Date().toISOString(), ...result }, null, 2));
  } finally {
    await database.close();
    if (!reuse) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
