/**
 * The public status page under an incident spike (issue 12): `wrk` in its own process hammers `/status` and then
 * `/status/summary.json` on a real Lifeline server (a child process, PostgreSQL server) while a status update is
 * posted every 500 ms, so the page is re-rendered throughout. Goal: ≥ 5,000 requests/s with p99 ≤ 50 ms.
 * Prints one JSON document on stdout.
 *
 *   node --import tsx bench/status.ts      (also part of `npm run bench`, unless BENCH_SKIP_STATUS=1)
 *
 * Knobs: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_STATUS_SECONDS (per path, default
 * 10), BENCH_STATUS_CONNECTIONS (default 64), BENCH_STATUS_THREADS (wrk threads, default 2).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import type { Actor } from '../src/platform/auth.js';
import { createServerDatabase } from '../src/testing/harness.js';
import { Server } from './server.js';

const log = (...args: unknown[]) => console.error('[bench:status]', ...args);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_STATUS_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_STATUS_CONNECTIONS ?? 64);
const THREADS = Number(process.env.BENCH_STATUS_THREADS ?? 2);

/** wrk's "Requests/sec" and its latency percentiles (with --latency), in ms. */
function parseWrk(out: string) {
  const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? Math.round(ms(m[1] as string, m[2] as string) * 100) / 100 : null;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const socket = /Socket errors: (.*)/.exec(out)?.[1];
  return {
    requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)),
    latencyMs: { p50: pct('50'), p90: pct('90'), p99: pct('99') },
    non2xx: Number(errors ?? 0),
    socketErrors: socket ?? null,
  };
}

// A spike is many readers, not one: each request names one of 62,500 clients (X-Forwarded-For, trusted from
// loopback only), so every client stays far under STATUS_RATE_LIMIT_PER_MINUTE (the limiter is measured, not bypassed).
const MANY_CLIENTS_LUA = `local n = 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = "10." .. (n % 250) .. "." .. (math.floor(n / 250) % 250) .. ".1"
  return wrk.format(nil)
end
`;

function wrk(url: string, seconds = SECONDS): Promise<string> {
  const script = path.join(os.tmpdir(), `lifeline-bench-status-${process.pid}.lua`);
  fs.writeFileSync(script, MANY_CLIENTS_LUA);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}`))));
  });
}

export async function measureStatusPage() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-status-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_status');
  const database = await openDatabase({ url: server.url });
  await database.migrate();
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
  const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' });
  const actor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
  const { token } = await services.people.createToken(actor, { name: 'bench', scopes: ['admin'] });
  // A realistic page: eight components in three groups, 40 past incidents with three updates each, one live.
  const components = [];
  for (let i = 0; i < 8; i++) components.push(await services.statusComponents.create({ name: `Component ${i}`, groupName: ['Mobile', 'Web', 'API'][i % 3] ?? null, description: '', position: i, status: 'operational' }));
  for (let i = 0; i < 40; i++) {
    const inc = await services.incidents.declare(actor, { title: `Past incident ${i}`, severity: 'P2', components: [{ id: components[i % 8]?.id as string, status: 'partial_outage' }], roles: {}, impact: '' });
    for (const state of ['investigating', 'identified', 'resolved'] as const) await services.incidents.postUpdate(actor, inc.id, { state, body: `Update (${state}) of incident ${i}.`, eta: null, notifyCustomers: false, notifySubscribers: false });
  }
  const live = await services.incidents.declare(actor, { title: 'Sync is down', severity: 'P1', components: [{ id: components[0]?.id as string, status: 'major_outage' }], roles: {}, impact: '' });
  await services.incidents.postUpdate(actor, live.id, { state: 'investigating', body: 'We are looking into it.', eta: null, notifyCustomers: false, notifySubscribers: false });
  await services.jobs.stop();
  await database.close();

  const lifeline = new Server({ DATABASE_URL: server.url, DATA_DIR: dataDir, SMTP_LISTEN: 'false', TRUST_PROXY: 'loopback' }, 4400 + Math.floor(Math.random() * 500), root);
  await lifeline.start();
  let posted = 0;
  let posting = true;
  const poster = (async () => {
    // Updates while the page is under load: each one clears the rendering, so the next request renders again.
    while (posting) {
      const res = await fetch(`${lifeline.url}/api/v1/incidents/${live.id}/updates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'investigating', body: `Still investigating (${posted}).` }),
      });
      if (res.status !== 201) throw new Error(`update → ${res.status} ${await res.text()}`);
      posted++;
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    // Warm-up (not reported): the first seconds of a fresh process are the JIT's, not the page's.
    for (const p of ['/status', '/status/summary.json']) await wrk(`${lifeline.url}${p}`, 3);
    const results: Record<string, ReturnType<typeof parseWrk>> = {};
    for (const p of (process.env.BENCH_STATUS_PATHS ?? '/status,/status/summary.json').split(',')) {
      log(`wrk ${SECONDS}s, ${CONNECTIONS} connections on ${p}`);
      results[p] = parseWrk(await wrk(`${lifeline.url}${p}`));
      log(p, JSON.stringify(results[p]));
    }
    posting = false;
    await poster;
    const seen = await (await fetch(`${lifeline.url}/status`)).text();
    return { database: 'postgres', loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10), seconds: SECONDS, connections: CONNECTIONS, wrkThreads: THREADS, updatesPosted: posted, lastUpdateVisible: seen.includes(`Still investigating (${posted - 1}).`), results, goal: { requestsPerSecond: 5000, p99Ms: 50 } };
  } finally {
    posting = false;
    await lifeline.stop();
    await server.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ status: await measureStatusPage() }, null, 2));
  process.exit(0);
}
