/**
 * `npm run bench`: the ticket-core benchmark. Prints one JSON document on stdout (progress goes to stderr).
 *
 * For each database (the PostgreSQL server, then embedded PGlite) it starts a real Lifeline server as a child
 * process and drives it over HTTP from this process:
 *  - ticket creation through the API at concurrency 1 and 16 (tickets/s, p50/p99 latency)
 *  - the same rows inserted raw through the driver (the ceiling) and the API/raw ratio
 *  - the agent queue ("open tickets of group L2 by priority then age, first page") p50/p95 at each scale
 *  - full-text search p50/p95 at the largest scale
 *  - the server's RSS idle and its peak under load
 *
 *  - email ingest: 2,000 messages over SMTP with 10 sessions on a fresh database (bench/email.ts)
 *  - SLA clocks and automations over a million tickets (bench/sla.ts; PostgreSQL only)
 *
 * Knobs: BENCH_PG_URL (server, default postgres://postgres@127.0.0.1:5432/test), BENCH_SCALES (PostgreSQL,
 * default 100000,1000000), BENCH_PGLITE_SCALES (default 100000), BENCH_SKIP_PGLITE=1, BENCH_SKIP_PG=1,
 * BENCH_REUSE=1 (keep the PostgreSQL bench database of the last run), BENCH_SKIP_TICKETS=1, BENCH_SKIP_EMAIL=1, BENCH_SKIP_SLA=1,
 * BENCH_SLA_TICKETS (default 1000000),
 * BENCH_EMAIL_N (messages, default 2000), BENCH_SKIP_WEB=1, BENCH_WEB_TICKETS (default 100000), BENCH_SKIP_STREAM=1,
 * BENCH_SKIP_STATUS=1, BENCH_SKIP_BOARDS=1, BENCH_SKIP_FANOUT=1, BENCH_SKIP_KB=1.
 * BENCH_SKIP_STATUS=1, BENCH_SKIP_BOARDS=1, BENCH_SKIP_FANOUT=1, BENCH_SKIP_REPORTS=1,
 * BENCH_REPORTS_TICKETS (default 100000).
 *  - boards and time: 2,000 cards over 40 customer boards (load, a move seen by a second viewer), the time report over 100,000 entries (bench/boards.ts)
 *  - reports: rebuild tickets/s, each dashboard widget over 30 days and a year, drill-down, creation overhead (bench/reports.ts)
 *  - the agent app in Debian's Chromium: bundle size, first ticket list, opening a 50-message ticket (bench/web.ts)
 *  - live-stream fan-out: five ticket updates reaching 500 open streams (bench/stream.ts)
 *  - the public status page under load (wrk) while updates are posted (bench/status.ts)
 *  - one incident update mailed to 10,000 status-page subscribers through a local SMTP sink (bench/status-fanout.ts)
 *  - paging: P0 ticket → page mail and webhook, and escalation after the step's wait (bench/paging.ts; BENCH_SKIP_PAGING=1)
 *  - the help centre with 10,000 articles under 200 readers (wrk): article pages, search, suggestions (bench/kb.ts)
 *  - the widget: script sizes and the panel's first open on a throttled connection in Chromium (bench/widget.ts; BENCH_SKIP_WIDGET=1)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase, rowsOf } from '../src/db/client.js';
import type { Actor } from '../src/platform/auth.js';
import { measureBoards } from './boards.js';
import { measureEmailIngest } from './email.js';
import { measureKb } from './kb.js';
import { generateBase, generateTickets } from './generate.js';
import { Server } from './server.js';
import { measureReports } from './reports.js';
import { measureSla } from './sla.js';
import { measureStatusPage } from './status.js';
import { measureStatusFanout } from './status-fanout.js';
import { measurePaging } from './paging.js';
import { measureStreamFanOut } from './stream.js';
import { measureWeb } from './web.js';
import { measureWidget } from './widget.js';

const log = (...args: unknown[]) => console.error('[bench]', ...args);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scales = (v: string | undefined, d: number[]) => (v ? v.split(',').map(Number) : d);

type Stats = { n: number; p50: number; p95: number; p99: number; mean: number };
function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}
const round = (x: number) => Math.round(x * 100) / 100;

/** Runs `total` calls of `fn` with `concurrency` in flight; returns throughput and latencies. */
async function load(total: number, concurrency: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: round(total / seconds), ...stats(latencies) };
}

// BENCH_PROFILE_DIR=… writes a CPU profile of the server (open it in Chrome DevTools).
const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];

async function prepare(database: Database) {
  const config = loadConfig({ DATA_DIR: path.join(root, '.bench-data'), LOG_LEVEL: 'silent' });
  const services = buildServices(config, database);
  const existing = await services.people.findUserByEmail('bench-admin@bench.example');
  const admin = existing ?? (await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' }));
  const actor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
  const { token } = await services.people.createToken(actor, { name: 'bench', scopes: ['admin'] });
  const [l2] = rowsOf<{ id: string }>(await database.db.execute(sql`select id from groups where name = 'L2'`));
  const [customer] = rowsOf<{ id: string }>(await database.db.execute(sql`select id from users where role = 'customer' limit 1`));
  return { token, l2Id: l2?.id as string, customerId: customer?.id as string };
}

async function ticketCount(database: Database): Promise<number> {
  return rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from tickets`))[0]?.n ?? 0;
}

async function growTo(database: Database, target: number) {
  const have = await ticketCount(database);
  if (have >= target) return;
  const t0 = performance.now();
  await generateTickets(database.db, target - have, (done) => log(`  generated ${have + done}/${target}`));
  log(`  generation took ${round((performance.now() - t0) / 1000)} s`);
}

function api(server: Server, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.url}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
    return text;
  };
}

async function measureCreation(server: Server, call: ReturnType<typeof api>, customerId: string, l2Id: string) {
  const body = (i: number) => ({
    subject: `Cannot sync forms on Android ${i}`,
    description: 'Since this morning several field workers get "sync failed" when they submit. Phones are online.',
    requesterId: customerId,
    groupId: l2Id,
    priority: i % 10 === 0 ? 'P2' : 'P4',
    tags: ['sync'],
    channel: 'api',
  });
  await load(50, 4, (i) => call('POST', '/api/v1/tickets', body(i)).then(() => {})); // warm up
  const c1 = await load(300, 1, (i) => call('POST', '/api/v1/tickets', body(i)).then(() => {}));
  server.watchRss();
  const c16 = await load(3000, 16, (i) => call('POST', '/api/v1/tickets', body(i)).then(() => {}));
  server.stopWatching();
  return { concurrency1: c1, concurrency16: c16, peakRssMb: server.peakRss };
}

/** The same rows one API create writes (ticket, first message, event), inserted raw with no checks. */
async function rawInsert(exec: (q: string, params: unknown[]) => Promise<unknown>, total: number, concurrency: number, customerId: string, l2Id: string) {
  const [prio] = rowsOf<{ id: string; rank: number }>(await exec(`select id, rank from priorities where scheme_key = 'commcare' and key = 'P4'`, []));
  const q = `with t as (
      insert into tickets (subject, status, status_category, priority_id, priority_rank, requester_id, group_id, channel, tags, created_at, updated_at, search_vector)
      values ($1, 'new', 'new', $2, $3, $4, $5, 'api', '{sync}', now(), now(), to_tsvector('english', $1 || ' ' || $6))
      returning id),
    m as (insert into messages (ticket_id, author_id, public, direction, channel, body_text, body_html, created_at)
      select id, $4, true, 'inbound', 'api', $6, '<p>' || $6 || '</p>', now() from t)
    insert into ticket_events (ticket_id, actor_id, kind, public, at) select id, $4, 'created', true, now() from t`;
  return load(total, concurrency, async (i) => {
    await exec(q, [`Cannot sync forms on Android ${i}`, prio?.id, prio?.rank, customerId, l2Id, 'Since this morning several field workers get "sync failed".']);
  });
}

const SEARCHES = ['sync', '"cannot sync"', 'password reset', 'export timeout', 'status:open sync', 'priority:P1 login', 'group:L2 dashboard', 'tag:android crashes', 'stale data supervisors', 'translation'];

async function measureReads(call: ReturnType<typeof api>, l2Id: string, withSearch: boolean) {
  const queueUrl = `/api/v1/tickets?group=${l2Id}&status=open&sort=priority&limit=25`;
  for (let i = 0; i < 20; i++) await call('GET', queueUrl);
  const queue = await load(300, 1, () => call('GET', queueUrl).then(() => {}));
  let search: Stats | undefined;
  if (withSearch) {
    for (const q of SEARCHES) await call('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    const s = await load(300, 1, (i) => call('GET', `/api/v1/search?q=${encodeURIComponent(SEARCHES[i % SEARCHES.length] as string)}`).then(() => {}));
    search = s;
  }
  return { queue, search };
}

async function benchPostgres() {
  // BENCH_REUSE=1 keeps the database of the last run (and its million tickets) to iterate on reads quickly.
  const reuse = process.env.BENCH_REUSE === '1';
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const exists = (await admin.query(`select 1 from pg_database where datname = 'lifeline_bench'`)).rowCount === 1;
  if (!reuse || !exists) {
    await admin.query('drop database if exists lifeline_bench with (force)');
    await admin.query('create database lifeline_bench');
  }
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = '/lifeline_bench';
  const url = u.toString();
  const database = await openDatabase({ url });
  await database.migrate();
  if (!reuse || !exists) await generateBase(database.db, { organizations: 500, customers: 20_000, agentsPerGroup: 10 });
  const { token, l2Id, customerId } = await prepare(database);
  const server = new Server({ DATABASE_URL: url, DATA_DIR: path.join(root, '.bench-data', 'pg-files') }, 3901, root, profile);
  await server.start();
  const idleRssMb = server.rss();
  const call = api(server, token);
  log('postgres: creation through the API');
  const creation = await measureCreation(server, call, customerId, l2Id);
  log('postgres: raw inserts');
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  const raw = await rawInsert((q, p) => pool.query(q, p), 3000, 16, customerId, l2Id);
  await pool.end();
  const reads: Record<string, unknown> = {};
  const list = scales(process.env.BENCH_SCALES, [100_000, 1_000_000]);
  for (const [i, scale] of list.entries()) {
    log(`postgres: growing to ${scale} tickets`);
    await growTo(database, scale);
    reads[String(scale)] = await measureReads(call, l2Id, i === list.length - 1);
  }
  const loadedRssMb = server.rss();
  await server.stop();
  await database.close();
  return summary('postgres', creation, raw, reads, [idleRssMb, loadedRssMb]);
}

type Creation = Awaited<ReturnType<typeof measureCreation>>;
type Load = Awaited<ReturnType<typeof load>>;

function summary(database: string, creation: Creation, raw: Load, reads: Record<string, unknown>, [idle, afterReads]: [number, number]) {
  return {
    database,
    creation,
    rawInsertConcurrency16: raw,
    apiToRawRatio: round(creation.concurrency16.perSecond / raw.perSecond),
    reads,
    rssMb: { idle, peakDuringCreation: creation.peakRssMb, afterReads },
  };
}

async function benchPglite() {
  const dataDir = path.join(root, '.bench-data', 'pglite-run');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const list = scales(process.env.BENCH_PGLITE_SCALES, [100_000]);
  // PGlite is one process's database: fill it here, close it, then let the server open it.
  let database = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
  await database.migrate();
  await generateBase(database.db, { organizations: 100, customers: 5_000, agentsPerGroup: 5 });
  const { token, l2Id, customerId } = await prepare(database);
  log('pglite: raw inserts (in-process)');
  const raw = await rawInsert(async (q, p) => (database as unknown as { db: { $client: { query: (q: string, p: unknown[]) => Promise<unknown> } } }).db.$client.query(q, p), 3000, 16, customerId, l2Id);
  await database.close();
  const server = new Server({ DATA_DIR: dataDir }, 3902, root, profile);
  await server.start();
  const idleRssMb = server.rss();
  const call = api(server, token);
  log('pglite: creation through the API');
  const creation = await measureCreation(server, call, customerId, l2Id);
  const reads: Record<string, unknown> = {};
  for (const [i, scale] of list.entries()) {
    await server.stop();
    log(`pglite: growing to ${scale} tickets`);
    database = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
    await growTo(database, scale);
    await database.close();
    await server.start();
    reads[String(scale)] = await measureReads(call, l2Id, i === list.length - 1);
  }
  const loadedRssMb = server.rss();
  await server.stop();
  return summary('pglite', creation, raw, reads, [idleRssMb, loadedRssMb]);
}

/** Email ingest on a fresh database; the counts are checked afterwards, straight from the database. */
async function benchEmail(kind: 'postgres' | 'pglite') {
  let url: string | undefined;
  const dataDir = path.join(root, '.bench-data', `email-${kind}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('drop database if exists lifeline_bench_email with (force)');
    await admin.query('create database lifeline_bench_email');
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = '/lifeline_bench_email';
    url = u.toString();
  }
  const open = () => openDatabase(url ? { url } : { dataDir: path.join(dataDir, 'pglite') });
  let database = await open();
  await database.migrate();
  const { token } = await prepare(database);
  await database.close();
  const smtpPort = kind === 'postgres' ? 2591 : 2592;
  // BENCH_EMAIL_WORKERS=n (PostgreSQL only): the server only accepts mail and n `lifeline worker` processes
  // process it, the scale-out layout.
  const workers = kind === 'postgres' ? Number(process.env.BENCH_EMAIL_WORKERS ?? 0) : 0;
  const env = { ...(url ? { DATABASE_URL: url } : {}), DATA_DIR: dataDir, SMTP_PORT: String(smtpPort), SMTP_HOST: '127.0.0.1', ...(workers ? { RUN_JOBS: 'false' } : {}) };
  const server = new Server(env, kind === 'postgres' ? 3903 : 3904, root, profile);
  await server.start();
  const workerProcesses = Array.from({ length: workers }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), 'worker'], {
      cwd: root,
      env: { ...process.env, ...env, RUN_JOBS: 'true', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  for (const w of workerProcesses) process.once('exit', () => w.kill('SIGKILL'));
  log(`${kind}: email ingest over SMTP`);
  server.watchRss();
  const ingest = await measureEmailIngest({ url: server.url, smtpPort }, token);
  server.stopWatching();
  const peakRssMb = server.peakRss;
  await server.stop();
  for (const w of workerProcesses) {
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGTERM');
    await exited;
  }
  database = await open();
  const [counts] = rowsOf<{ tickets: number; auto_replies: number }>(
    await database.db.execute(sql`select (select count(*)::int from tickets) as tickets, (select count(*)::int from outbound_emails where kind = 'auto_reply') as auto_replies`),
  );
  await database.close();
  return { database: kind, workerProcesses: workers, ...ingest, ticketsCreated: counts?.tickets, autoRepliesQueued: counts?.auto_replies, peakRssMb };
}

/** A new, empty, migrated database `name` on the PostgreSQL server (an old one of that name is dropped). */
async function freshServerDatabase(name: string): Promise<Database> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const database = await openDatabase({ url: u.toString() });
  await database.migrate();
  return database;
}

/** SLA and automations at scale, in-process on a fresh PostgreSQL database (bench/sla.ts). */
async function benchSla() {
  const database = await freshServerDatabase('lifeline_bench_sla');
  try {
    return await measureSla(database, path.join(root, '.bench-data', 'sla'), log);
  } finally {
    await database.close();
  }
}

/** Reports over N tickets, in-process on a fresh PostgreSQL database (bench/reports.ts). */
async function benchReports() {
  const database = await freshServerDatabase('lifeline_bench_reports');
  try {
    return await measureReports(database, path.join(root, '.bench-data', 'reports'), log);
  } finally {
    await database.close();
  }
}

/** The agent app in a real browser against 100k tickets on the PostgreSQL server (bench/web.ts). */
async function benchWeb() {
  const database = await freshServerDatabase('lifeline_bench_web');
  try {
    return await measureWeb(database, path.join(root, '.bench-data', 'web'), Number(process.env.BENCH_WEB_TICKETS ?? 100_000), log);
  } finally {
    await database.close();
  }
}

const results: unknown[] = [];
const email: unknown[] = [];
let sla: unknown;
let web: unknown;
let reports: unknown;
const stream: unknown[] = [];
let status: unknown = null;
let boards: unknown = null;
let statusFanout: unknown = null;
let paging: unknown = null;
let kb: unknown = null;
let widget: unknown = null;
if (!process.env.BENCH_SKIP_PG) {
  if (!process.env.BENCH_SKIP_TICKETS) results.push(await benchPostgres());
  if (!process.env.BENCH_SKIP_EMAIL) email.push(await benchEmail('postgres'));
  if (!process.env.BENCH_SKIP_SLA) sla = await benchSla();
  if (!process.env.BENCH_SKIP_WEB) web = await benchWeb();
  if (!process.env.BENCH_SKIP_REPORTS) reports = await benchReports();
  if (!process.env.BENCH_SKIP_STREAM) stream.push(await measureStreamFanOut('postgres'));
  if (!process.env.BENCH_SKIP_STATUS) status = await measureStatusPage();
  if (!process.env.BENCH_SKIP_BOARDS) boards = await measureBoards();
  if (!process.env.BENCH_SKIP_FANOUT) statusFanout = await measureStatusFanout();
  if (!process.env.BENCH_SKIP_PAGING) paging = await measurePaging();
  if (!process.env.BENCH_SKIP_KB) kb = await measureKb();
}
if (!process.env.BENCH_SKIP_PGLITE) {
  if (!process.env.BENCH_SKIP_TICKETS) results.push(await benchPglite());
  if (!process.env.BENCH_SKIP_EMAIL) email.push(await benchEmail('pglite'));
  if (!process.env.BENCH_SKIP_STREAM) stream.push(await measureStreamFanOut('pglite'));
}
if (!process.env.BENCH_SKIP_WIDGET) widget = await measureWidget(log);
console.log(JSON.stringify({ benchmark: 'lifeline', at: new Date().toISOString(), node: process.version, results, emailIngest: email, sla, web, stream, status, boards, statusFanout, paging, kb, reports, widget }, null, 2));
