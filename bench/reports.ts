/**
 * Reports at scale (PostgreSQL), in-process on a fresh database: N tickets (BENCH_REPORTS_TICKETS, default 100,000;
 * the issue's target is 1,000,000) from the shared generator, extended here with the events reports read — each
 * message as `message_added` (agents' public replies, customers' messages, notes), a solve for every solved or
 * closed ticket, and for 6 % of those a reopen and a second solve. Measures:
 *  - `lifeline reports rebuild` (ReportsStore.rebuild): tickets/s;
 *  - each dashboard widget (the Reports screen's tiles and charts) over 30 days and over a year: p50/p95 of 5 runs;
 *  - the whole dashboard (every widget at once, as the screen asks): p95;
 *  - the first page of a drill-down (the tickets behind "created in the last 30 days");
 *  - ticket creation with the metrics step vs with it doing nothing: the overhead in %.
 */
import { sql } from 'drizzle-orm';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { generateBase, generateTickets } from './generate.js';

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

/** The events the generator does not write: replies, solves, reopens — at the rates its tickets already imply. */
async function addReportEvents(database: Database): Promise<void> {
  const db = database.db;
  await db.execute(sql`
    insert into ticket_events (ticket_id, actor_id, actor_type, kind, to_value, public, at)
    select m.ticket_id, m.author_id, 'person', 'message_added',
      jsonb_build_object('messageId', m.id, 'public', m.public, 'direction', m.direction, 'channel', m.channel,
        'author', case when m.direction = 'inbound' then 'requester' else 'agent' end),
      m.public, m.created_at
    from messages m order by m.ticket_id, m.created_at`);
  await db.execute(sql`
    insert into ticket_events (ticket_id, actor_type, kind, field, from_value, to_value, public, at)
    select id, 'system', 'field_changed', 'status', '"open"'::jsonb, '"solved"'::jsonb, true, solved_at
    from tickets where solved_at is not null order by id`);
  // 6 % of solved tickets were reopened two hours later and solved again a day after.
  await db.execute(sql`
    insert into ticket_events (ticket_id, actor_type, kind, field, from_value, to_value, public, at)
    select t.id, 'system', 'field_changed', 'status', x.f::jsonb, x.t::jsonb, true, t.solved_at + x.after
    from tickets t cross join (values ('"solved"', '"open"', interval '2 hours'), ('"open"', '"solved"', interval '26 hours')) as x(f, t, after)
    where t.solved_at is not null and abs(hashtext(t.id::text)) % 100 < 6
    order by t.id, x.after`);
  await db.execute(sql`analyze ticket_events`);
}

export async function measureReports(database: Database, dataDir: string, log: (...a: unknown[]) => void) {
  const total = Number(process.env.BENCH_REPORTS_TICKETS ?? 100_000);
  await generateBase(database.db, { organizations: 200, customers: 10_000, agentsPerGroup: 5 });
  log(`reports: generating ${total} tickets`);
  await generateTickets(database.db, total, (done) => log(`  generated ${done}/${total}`));
  await addReportEvents(database);
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', REPORTS_TIMEOUT_MS: '60000' }), database);
  await services.ctx.cache.start();
  const actor = await services.people.actorFor(await services.people.createUser({ email: 'bench-lead@example.org', name: 'Bench Lead', role: 'admin', password: 'correct horse battery staple' }));

  log('reports: rebuild');
  let shown = 0;
  const rebuild = await services.reportsStore.rebuild({
    pageSize: 5000,
    onProgress: (done, all) => {
      if (done - shown >= all / 10) {
        shown = done;
        log(`  rebuilt ${done}/${all}`);
      }
    },
  });
  await database.db.execute(sql`analyze ticket_metrics`);

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
  const now = new Date();
  const periods = { '30d': 30, year: 365 };
  const widgetStats: Record<string, Record<string, ReturnType<typeof stats>>> = {};
  const dashboards: Record<string, ReturnType<typeof stats>> = {};
  for (const [name, days] of Object.entries(periods)) {
    const range = { from: new Date(now.getTime() - days * DAY).toISOString(), to: now.toISOString() };
    widgetStats[name] = {};
    for (const [metric, extra] of widgets) {
      const req = services.reports.parse(metric, { ...range, ...extra });
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) runs.push(await timed(() => services.reports.run(actor, req)));
      (widgetStats[name] as Record<string, ReturnType<typeof stats>>)[`${metric}${extra.groupBy ? `/${extra.groupBy}` : ''}`] = stats(runs);
    }
    const whole: number[] = [];
    for (let i = 0; i < 5; i++) whole.push(await timed(() => Promise.all(widgets.map(([metric, extra]) => services.reports.run(actor, services.reports.parse(metric, { ...range, ...extra }))))));
    dashboards[name] = stats(whole);
    log(`  ${name}: dashboard p95 ${dashboards[name]?.p95} ms`);
  }
  const drillRuns: number[] = [];
  const drillReq = services.reports.parse('tickets_created', { from: new Date(now.getTime() - 30 * DAY).toISOString(), to: now.toISOString() });
  for (let i = 0; i < 10; i++) drillRuns.push(await timed(() => services.reports.tickets(actor, drillReq, { limit: 50 })));

  // Ticket creation through the use case, with the metrics step and with it doing nothing (its private onEvents
  // replaced), interleaved in rounds so the machine's noise falls on both alike.
  const store = services.reportsStore as unknown as { onEvents: (...a: unknown[]) => Promise<void> };
  const real = store.onEvents;
  const skip = async () => {};
  const create = (i: number) => services.tickets.create(actor, { subject: `Bench ${i}`, description: 'Creation overhead.', format: 'text', requester: { email: `bench${i % 500}@example.org` }, tags: [], customFields: {}, followerIds: [], cc: [], attachmentIds: [] });
  const withStep: number[] = [];
  const without: number[] = [];
  for (let round_ = 0; round_ < 6; round_++) {
    for (const [list, fn] of [
      [withStep, real],
      [without, skip],
    ] as const) {
      store.onEvents = fn;
      for (let i = 0; i < 50; i++) list.push(await timed(() => create(round_ * 1000 + i)));
    }
  }
  store.onEvents = real;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    tickets: total,
    rebuild: { tickets: rebuild.tickets, ms: rebuild.ms, ticketsPerSecond: Math.round((rebuild.tickets / rebuild.ms) * 1000) },
    widgetsMs: widgetStats,
    dashboardMs: dashboards,
    drillDownFirstPageMs: stats(drillRuns),
    creation: {
      withMetricsMs: stats(withStep),
      withoutMetricsMs: stats(without),
      overheadPercent: round((mean(withStep) / mean(without) - 1) * 100),
    },
  };
}
