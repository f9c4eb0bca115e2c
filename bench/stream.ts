/**
 * Live-stream fan-out (issue 10, item 7): 500 open streams (GET /api/v1/stream, real sockets from this process to
 * a real Lifeline server in a child process), then five ticket updates; measures how long until every stream has
 * all five events, and the update latencies while the server fans out. Prints one JSON document on stdout.
 *
 *   node --import tsx bench/stream.ts      (also part of `npm run bench`, unless BENCH_SKIP_STREAM=1)
 *
 * Knobs: BENCH_STREAM_DB (pglite, postgres or both; default both), BENCH_PG_URL (the PostgreSQL server, default
 * postgres://postgres@127.0.0.1:5432/test), BENCH_STREAMS (default 500), BENCH_STREAM_ROOT (the Lifeline checkout
 * whose server to start, default this one: point it at an older checkout to measure "before").
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { embeddedDir } from '../src/db/open.js';
import type { Actor } from '../src/platform/auth.js';
import { randomToken, sha256 } from '../src/platform/crypto.js';
import { createServerDatabase } from '../src/testing/harness.js';
import { Server } from './server.js';

const log = (...args: unknown[]) => console.error('[bench:stream]', ...args);
const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const root = path.resolve(process.env.BENCH_STREAM_ROOT ?? here);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const UPDATES = 5;
// Five streams a person: within the default per-user cap of 10, so every stream stays open.
const PER_USER = 5;
const round = (x: number) => Math.round(x * 100) / 100;

/** Agents (4 in 5 streams) and customers of one organisation that shares its tickets, each with a session. */
async function prepare(database: Database, dataDir: string) {
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
  const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' });
  const adminActor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
  const { token } = await services.people.createToken(adminActor, { name: 'bench', scopes: ['admin'] });
  const org = await services.people.createOrganization({ name: 'Bench district', domains: [], notes: '', sharedTickets: true, customFields: {} });
  const people = Math.ceil(STREAMS / PER_USER);
  const cookies: string[] = [];
  const requester = await services.people.createUser({ email: 'bench-requester@bench.example', name: 'Requester', role: 'customer', organizationId: org.id });
  for (let i = 0; i < people; i++) {
    const customer = i % 5 === 4;
    const u = await services.people.createUser({
      email: `bench-${i}@bench.example`,
      name: `Bench ${i}`,
      role: customer ? 'customer' : 'agent',
      organizationId: customer ? org.id : null,
    });
    const secret = randomToken();
    const now = new Date();
    await database.db.execute(
      sql`insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values (${sha256(secret)}, ${u.id}, ${randomToken(24)}, ${now.toISOString()}, ${new Date(now.getTime() + 86_400_000).toISOString()})`,
    );
    cookies.push(`lifeline_session=${secret}`);
  }
  return { token, cookies, requesterId: requester.id };
}

/** One stream on its own socket; counts the events it has received of a marker. */
type OpenStream = { count: (marker: string) => number; close: () => void };
function openStream(url: string, cookie: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/v1/stream`, { headers: { cookie }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('error', () => {});
      const ready = () => (text.includes(': connected') ? resolve({ count: (m) => text.split(m).length - 1, close: () => req.destroy() }) : setTimeout(ready, 5));
      ready();
    });
    req.on('error', reject);
  });
}

/** One run on a fresh database of `kind` (used by `npm run bench` too). */
export async function measureStreamFanOut(kind: 'pglite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-stream-'));
  const server = kind === 'postgres' ? await createServerDatabase(PG_URL, 'lifeline_bench_stream') : undefined;
  const database = await openDatabase(server ? { url: server.url } : { dataDir: embeddedDir(loadConfig({ DATA_DIR: dataDir })) });
  await database.migrate();
  const { token, cookies, requesterId } = await prepare(database, dataDir);
  // An embedded database is opened by one process at a time: the server's.
  await database.close();
  const lifeline = new Server(server ? { DATABASE_URL: server.url, DATA_DIR: dataDir, SMTP_LISTEN: 'false' } : { DATA_DIR: dataDir, SMTP_LISTEN: 'false' }, 3900 + Math.floor(Math.random() * 500), root);
  await lifeline.start();
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${lifeline.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string }>;
  };
  try {
    log(kind, `opening ${STREAMS} streams`);
    const streams: OpenStream[] = [];
    for (let i = 0; i < STREAMS; i++) streams.push(await openStream(lifeline.url, cookies[Math.floor(i / PER_USER)] as string));
    const idleRss = lifeline.rss();
    const ticket = await api('POST', '/api/v1/tickets', { subject: 'Forms fail to sync', description: 'Since this morning.', requesterId, priority: 'P4' });
    // Every stream hears of the new ticket before the clock starts.
    const until = async (ok: () => boolean, ms = 120_000) => {
      const deadline = performance.now() + ms;
      while (!ok()) {
        if (performance.now() > deadline) throw new Error('streams did not receive every event in time');
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await until(() => streams.every((s) => s.count(ticket.id) >= 1));
    const t0 = performance.now();
    const latencies: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const u0 = performance.now();
      await api('PATCH', `/api/v1/tickets/${ticket.id}`, { priority: i % 2 ? 'P3' : 'P2' });
      latencies.push(round(performance.now() - u0));
    }
    const updatesMs = round(performance.now() - t0);
    await until(() => streams.every((s) => s.count('"field":"priority"') >= UPDATES));
    const allDeliveredMs = round(performance.now() - t0);
    const peakRss = lifeline.rss();
    for (const s of streams) s.close();
    log(kind, `every stream had the ${UPDATES} updates after ${allDeliveredMs} ms`);
    return { database: kind, streams: STREAMS, updates: UPDATES, allDeliveredMs, updatesMs, updateLatencyMs: latencies, rssMb: { idleWithStreams: idleRss, after: peakRss } };
  } finally {
    await lifeline.stop();
    await server?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run directly (not imported by bench/run.ts): both databases, or the one BENCH_STREAM_DB names.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const which = process.env.BENCH_STREAM_DB ?? 'both';
  const results = [];
  if (which === 'postgres' || which === 'both') results.push(await measureStreamFanOut('postgres'));
  if (which === 'pglite' || which === 'both') results.push(await measureStreamFanOut('pglite'));
  console.log(JSON.stringify({ stream: { root, results } }, null, 2));
  process.exit(0);
}
