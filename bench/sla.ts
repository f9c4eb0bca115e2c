/**
 * SLA and automations at scale (PostgreSQL), in-process on a fresh database: N tickets (BENCH_SLA_TICKETS,
 * default 1,000,000) of which the generator leaves ~2 % new or open (most of them recent), each of those with a running
 * first-response and resolution clock on one calendar. Measures:
 *  - recomputing every clock after a calendar change (SlaService.recomputeCalendar);
 *  - the SLA sweep with nothing due (its idle cost) and with 1,000 clocks due at once;
 *  - the lag from a deadline passing to its breach event, with the 1-second sweeper running;
 *  - one automation sweep over all tickets with the default rules (work should follow what is due);
 *  - this process's CPU while idle with both sweepers running.
 * The sweepers run as in `lifeline start`: each module's declared schedule, on a ScheduleRunner of its own.
 */
import { sql } from 'drizzle-orm';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, rowsOf } from '../src/db/client.js';
import { ScheduleRunner } from '../src/platform/schedules.js';
import { generateBase, generateTickets } from './generate.js';

const round = (x: number) => Math.round(x * 100) / 100;
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const value = await fn();
  return [round(performance.now() - t0), value];
};

export async function measureSla(database: Database, dataDir: string, log: (...a: unknown[]) => void) {
  const total = Number(process.env.BENCH_SLA_TICKETS ?? 1_000_000);
  await generateBase(database.db, { organizations: 200, customers: 10_000, agentsPerGroup: 5 });
  log(`sla: generating ${total} tickets`);
  await generateTickets(database.db, total, (done) => log(`  generated ${done}/${total}`));
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUTOMATION_SWEEP_SECONDS: '60' }), database);
  // One module's schedules only (not every module's), started when its measurement begins.
  const sweeper = (name: 'sla' | 'automations') => {
    const runner = new ScheduleRunner(database, services.ctx.clock);
    runner.add(name, services.modules.find((m) => m.name === name)?.schedules ?? []);
    runner.start(1000);
    return runner;
  };
  await services.ctx.cache.start();
  const [calendar] = rowsOf<{ id: string }>(await database.db.execute(sql`select id from business_calendars where name = 'Office hours'`));
  const calendarId = calendar?.id as string;
  const policy = await services.sla.createPolicy({
    name: 'Bench',
    position: 0,
    active: true,
    condition: { all: [] },
    calendarId,
    targets: Object.fromEntries(['P1', 'P2', 'P3', 'P4', 'P5'].map((k, i) => [k, { first_response: 60 * (i + 1), resolution: 480 * (i + 1) }])),
    pauses: { pending: ['first_response', 'next_response', 'periodic_update', 'resolution'] },
    warnPercent: 75,
  });
  // Clocks for every open ticket, running since it was created, written straight in SQL.
  await database.db.execute(sql`
    insert into sla_clocks (ticket_id, metric, policy_id, status, target_minutes, started_at, running_since, elapsed_minutes, due_at, warn_at)
    select t.id, m.metric, ${policy.id}::uuid, 'running', m.minutes, now(), now(), 0, now() + interval '3 days', now() + interval '2 days'
    from tickets t cross join (values ('first_response', 60), ('resolution', 480)) as m(metric, minutes)
    where t.status_category in ('new', 'open')`);
  const [counts] = rowsOf<{ open: number; clocks: number }>(
    await database.db.execute(sql`select (select count(*)::int from tickets where status_category in ('new','open')) as open, (select count(*)::int from sla_clocks) as clocks`),
  );
  await database.db.execute(sql`analyze`);

  log('sla: recompute after a calendar change');
  const [recomputeMs, recomputed] = await time(() => services.sla.recomputeCalendar(calendarId));

  log('sla: sweeps');
  const [idleSweepMs] = await time(() => services.sla.sweep());
  await database.db.execute(sql`
    update sla_clocks set due_at = now() - interval '1 second', warn_at = null
    where (ticket_id, metric) in (select ticket_id, metric from sla_clocks where status = 'running' limit 1000)`);
  const [dueSweepMs, swept] = await time(() => services.sla.sweep());

  log('sla: breach lag with the sweeper running');
  const slaSweeper = sweeper('sla');
  const due = new Date(Date.now() + 1500);
  await database.db.execute(sql`
    update sla_clocks set due_at = ${due.toISOString()}::timestamptz
    where (ticket_id, metric) in (select ticket_id, metric from sla_clocks where status = 'running' and breached_at is null limit 100)`);
  await new Promise((r) => setTimeout(r, 4000));
  const lags = rowsOf<{ lag_ms: number }>(
    await database.db.execute(sql`select extract(epoch from (at - ${due.toISOString()}::timestamptz)) * 1000 as lag_ms from ticket_events where kind = 'sla_breached' and at >= ${due.toISOString()}::timestamptz`),
  )
    .map((r) => Number(r.lag_ms))
    .sort((a, b) => a - b);

  log('sla: automation sweep over all tickets');
  const [automationMs, fired] = await time(() => services.automations.sweep());

  log('sla: idle CPU with both sweepers running');
  const automationSweeper = sweeper('automations');
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 10_000));
  const cpu = process.cpuUsage(cpu0);
  await slaSweeper.stop();
  await automationSweeper.stop();
  await services.ctx.cache.stop();
  return {
    tickets: total,
    openTickets: counts?.open,
    runningClocks: counts?.clocks,
    recomputeAfterCalendarChange: { clocks: recomputed, ms: recomputeMs, perSecond: round(recomputed / (recomputeMs / 1000)) },
    slaSweepNothingDueMs: idleSweepMs,
    slaSweep1000DueMs: dueSweepMs,
    slaSweep1000Stamped: swept,
    breachLagMs: { n: lags.length, p50: round(lags[Math.floor(lags.length / 2)] ?? Number.NaN), max: round(lags.at(-1) ?? Number.NaN) },
    automationSweep: { ms: automationMs, fired },
    idleCpuPercent: round(((cpu.user + cpu.system) / 1000 / 10_000) * 100),
  };
}
