import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDatabase, type Database } from '../db/client.js';
import { startTestApp, type TestApp } from '../testing/harness.js';
import { FakeClock } from './clock.js';
import { defineSchedule, ScheduleError, ScheduleRunner } from './schedules.js';

let t: TestApp;
// A second "process" on the same database: its own connections on PostgreSQL, the same database on PGlite.
let other: Database;

before(async () => {
  t = await startTestApp();
  other = t.databaseUrl ? await openDatabase({ url: t.databaseUrl }) : t.database;
});
after(async () => {
  if (other !== t.database) await other.close();
  await t.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the SLA breach sweep and the automation sweep are declared schedules', () => {
  const names = t.services.schedules.names();
  for (const name of ['automations.sweep', 'sla.breaches']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
});

test('each slot runs exactly once across two runners on one database', async () => {
  const clock = new FakeClock('2026-01-05T08:58:00Z');
  const runs: string[] = [];
  const ran = async (what: string) => {
    runs.push(what);
    await sleep(20);
  };
  // Slow enough that the runners' claims overlap.
  const schedules = (who: string) => [
    defineSchedule({ name: 'test.every-minute', everySeconds: 60, run: () => ran(`minute ${clock.now().toISOString()} ${who}`) }),
    defineSchedule({ name: 'test.paris-nine', cron: '0 9 * * *', timeZone: 'Europe/Paris', run: () => ran(`nine ${clock.now().toISOString()} ${who}`) }),
  ];
  const a = new ScheduleRunner(t.database, clock);
  const b = new ScheduleRunner(other, clock);
  a.add('test', schedules('a'));
  b.add('test', schedules('b'));
  const round = async () => (await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()])).flat().sort();
  // The latest minute slot (08:58) and the latest 09:00 Paris (08:00Z today) slot, each once.
  assert.deepEqual(await round(), ['test.every-minute', 'test.paris-nine']);
  assert.deepEqual(await round(), []);
  clock.advance(30_000);
  assert.deepEqual(await round(), [], 'the next minute slot is not due yet');
  clock.advance(30_000);
  assert.deepEqual(await round(), ['test.every-minute']);
  clock.advance(60_000);
  assert.deepEqual(await round(), ['test.every-minute']);
  assert.equal(runs.filter((r) => r.startsWith('minute')).length, 3);
  assert.equal(runs.filter((r) => r.startsWith('nine')).length, 1);
  // Paris's next 09:00 is 08:00Z tomorrow.
  clock.set('2026-01-06T07:59:59Z');
  assert.ok(!(await round()).includes('test.paris-nine'));
  clock.set('2026-01-06T08:00:00Z');
  assert.deepEqual((await round()).filter((n) => n === 'test.paris-nine'), ['test.paris-nine']);
});

test('slots missed while every process was down run once on start, not once per missed slot', async () => {
  const clock = new FakeClock('2026-01-05T10:00:00Z');
  let runs = 0;
  const schedule = defineSchedule({ name: 'test.five-minutes', cron: '*/5 * * * *', timeZone: 'UTC', run: async () => void runs++ });
  const before = new ScheduleRunner(t.database, clock);
  before.add('test', [schedule]);
  assert.deepEqual(await before.runDue(), ['test.five-minutes']);
  // Down for three hours: 36 slots go by.
  clock.advance(3 * 3600_000 + 60_000);
  const restarted = new ScheduleRunner(other, clock);
  restarted.add('test', [schedule]);
  assert.deepEqual(await restarted.runDue(), ['test.five-minutes']);
  assert.deepEqual(await restarted.runDue(), []);
  // A process that restarts within the slot it already ran does not run it again.
  const again = new ScheduleRunner(t.database, clock);
  again.add('test', [schedule]);
  assert.deepEqual(await again.runDue(), []);
  assert.equal(runs, 2);
  clock.advance(4 * 60_000);
  assert.deepEqual(await restarted.runDue(), ['test.five-minutes']);
  assert.equal(runs, 3);
});

test('an invalid cron expression or time zone is refused at start-up, naming the module and the schedule', () => {
  const runner = new ScheduleRunner(t.database, new FakeClock());
  const run = async () => {};
  assert.throws(
    () => runner.add('reports', [defineSchedule({ name: 'reports.daily', cron: '61 * * * *', timeZone: 'UTC', run })]),
    (err: unknown) => err instanceof ScheduleError && /^module reports, schedule reports\.daily: invalid cron expression "61 \* \* \* \*"/.test(err.message),
  );
  assert.throws(
    () => runner.add('reports', [defineSchedule({ name: 'reports.weekly', cron: '0 9 * *', timeZone: 'UTC', run })]),
    /^ScheduleError: module reports, schedule reports\.weekly: invalid cron expression "0 9 \* \*"/,
  );
  assert.throws(
    () => runner.add('oncall', [defineSchedule({ name: 'oncall.handoff', cron: '0 9 * * 1', timeZone: 'Mars/Olympus_Mons', run })]),
    /^ScheduleError: module oncall, schedule oncall\.handoff: unknown time zone "Mars\/Olympus_Mons"/,
  );
  assert.throws(() => runner.add('sla', [defineSchedule({ name: 'sla.fast', everySeconds: 0, run })]), /module sla, schedule sla\.fast: everySeconds must be a positive number/);
  assert.deepEqual(runner.names(), [], 'nothing refused was added');
});
