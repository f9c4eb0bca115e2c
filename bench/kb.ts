/**
 * The help centre under readers (issue 14): 10,000 published articles on the PostgreSQL server and a real Lifeline
 * server (child process), measured two ways, each load from its own process:
 *
 * 1. `readers` — open loop (bench/kb-readers.ts): 200 readers, each reading a page every ~7.4 s on average
 *    (exponential pauses: 27 requests/s overall, BENCH_KB_RATES' first rate), arrivals drawn before the run and
 *    latency measured from each request's due time, so a slow answer never holds back the next reader's request
 *    (no coordinated omission). Then higher rates, step by step (BENCH_KB_RATES, default 27,50,100,200,400,800
 *    requests/s), to find where p95 crosses the goal; stepping stops once p95 passes three times the goal. Mixes:
 *    article pages Zipf (rank r of 10,000 with probability ∝ 1/(r+1)) and all distinct (each a different article,
 *    the caches cleared before every step: every one a miss), search (80 % Zipf over 2,000 queries, 20 % never asked
 *    before) and suggestions as typed (a request's words, asked after every third character). The Zipf mixes start
 *    from cleared caches and BENCH_KB_WARM_SECONDS (default 30) of unmeasured readers, then keep their caches from
 *    step to step (as between two publishes; the pages' 60 s TTL and the suggestions' 30 s still expire).
 *    Goals: page and search p95 ≤ 30 ms, suggestions p95 ≤ 50 ms.
 * 2. `saturated` — wrk, 200 connections sending back to back: throughput (capacity), not latency (its latency is
 *    ≈ 200 ÷ throughput whatever the code), in Zipf and all-distinct mixes of pages, searches and suggestions.
 *
 * Each row has the load average and the CPU (server + the bench database's PostgreSQL backends) per request.
 *
 *   node --import tsx bench/kb.ts       (also part of `npm run bench`, unless BENCH_SKIP_KB=1)
 *
 * Run alone, it also times recurring-topic grouping (measureTopics, below); BENCH_KB_SKIP_TOPICS=1 or
 * BENCH_KB_SKIP_HTTP=1 leaves a part out.
 *
 * Knobs: BENCH_PG_URL, BENCH_KB_ARTICLES (default 10000), BENCH_KB_RATES, BENCH_KB_READERS_SECONDS (the first
 * rate's step, default 40), BENCH_KB_STEP_SECONDS (the others, default 15), BENCH_KB_MIXES (a comma list of
 * article.zipf,article.distinct,search,suggest), BENCH_KB_SKIP_WRK=1, BENCH_KB_SKIP_SEQUENTIAL=1, BENCH_KB_SECONDS
 * (per wrk path, default 10), BENCH_KB_CONNECTIONS (default 200), BENCH_KB_THREADS (wrk threads, default 2),
 * BENCH_KB_CPU_PROF=<dir> (the server writes a V8 CPU profile there when it stops).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { kbArticles, kbArticleVersions } from '../src/modules/kb/kb.schema.js';
import { renderArticle } from '../src/modules/kb/markdown.js';
import { createServerDatabase } from '../src/testing/harness.js';
import { generateBase, generateTickets } from './generate.js';
import type { Mix, ReadersResult, ReadersStep } from './kb-readers.js';
import { PRODUCTS, QUERIES, rng, WORDS } from './kb-words.js';
import { Server } from './server.js';

const log = (...args: unknown[]) => console.error('[bench:kb]', ...args);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_KB_ARTICLES ?? 10_000);
const SECONDS = Number(process.env.BENCH_KB_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_KB_CONNECTIONS ?? 200);
const THREADS = Number(process.env.BENCH_KB_THREADS ?? 2);
const RATES = (process.env.BENCH_KB_RATES ?? '27,50,100,200,400,800').split(',').map(Number);
const READERS_SECONDS = Number(process.env.BENCH_KB_READERS_SECONDS ?? 40);
const STEP_SECONDS = Number(process.env.BENCH_KB_STEP_SECONDS ?? 15);
const MIXES = (process.env.BENCH_KB_MIXES ?? 'article.zipf,article.distinct,search,suggest').split(',').filter(Boolean) as Mix[];
const GOAL_MS: Record<Mix, number> = { 'article.zipf': 30, 'article.distinct': 30, search: 30, suggest: 50 };
// Readers come from this many addresses (X-Forwarded-For, the server trusting the loopback proxy): the per-address
// rate-limit row is one per reader, as in use, not one row every request of the bench would queue on.
const READERS = 200;
const WARM_SECONDS = Number(process.env.BENCH_KB_WARM_SECONDS ?? 30);
const WRK_WARM_SECONDS = 8;

/** CPU time (user + system, ms) a process has used, from /proc; 0 once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU used by the Lifeline server and the PostgreSQL backends of the bench database during `run`, per request:
 * what a request costs whatever else the shared machine is doing (latency under load mostly measures the queue
 * for a core when the load average is far above the 2 cores).
 */
async function cpuPerRequest(serverPid: number, dbName: string, run: () => Promise<{ requests: number }>) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const backends = async () => (await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName])).rows.map((r) => r.pid);
  try {
    const before = new Map([serverPid, ...(await backends())].map((p) => [p, cpuMsOf(p)]));
    const { requests } = await run();
    let used = 0;
    let server = 0;
    for (const p of new Set([serverPid, ...(await backends()), ...before.keys()])) {
      const ms = Math.max(0, cpuMsOf(p) - (before.get(p) ?? 0));
      used += ms;
      if (p === serverPid) server += ms;
    }
    const per = (ms: number) => (requests ? Math.round((ms / requests) * 100) / 100 : null);
    // The split says where to look: the server's JavaScript (a CPU profile) or the database's statements.
    return { cpuMs: Math.round(used), requests, cpuMsPerRequest: per(used), serverCpuMsPerRequest: per(server), databaseCpuMsPerRequest: per(used - server) };
  } finally {
    await client.end();
  }
}

/** wrk's "Requests/sec" and its latency percentiles (with --latency), in ms. */
function parseWrk(out: string) {
  const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? Math.round(ms(m[1] as string, m[2] as string) * 100) / 100 : null;
  };
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)),
    latencyMs: { p50: pct('50'), p90: pct('90'), p95: Number(/^P95 (\d+)/m.exec(out)?.[1] ?? Number.NaN) / 1000 || null, p99: pct('99') },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? null,
  };
}

function wrk(url: string, script: string, seconds: number): Promise<string> {
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

/** A wrk Lua script whose every request is a random path built by `body` (Lua returning the path), back to back. */
function luaScript(dir: string, name: string, body: string): string {
  const words = `local words = {${[...WORDS, ...PRODUCTS].map((w) => `"${w}"`).join(',')}}`;
  const file = path.join(dir, `${name}.lua`);
  fs.writeFileSync(file, `${words}\n${LUA_HELPERS}\nrequest = function()\n  ${body}\n  return wrk.format("GET", p, { ["X-Forwarded-For"] = "10.20.0." .. math.random(1, ${READERS}) })\nend\n`);
  return file;
}

/** One open-loop step (bench/kb-readers.ts) in its own process: its result line. */
function readersStep(step: ReadersStep): Promise<ReadersResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/kb-readers.ts'), JSON.stringify(step)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as ReadersResult) : reject(new Error(`kb-readers exited ${code}`))));
  });
}

/**
 * Shared Lua: `zipf(n)` — a rank 0..n-1 drawn with probability ∝ 1/(rank+1) (s = 1: how page views of a help
 * centre spread, a few articles read by most), from a CDF built once per wrk thread; `nextDistinct()` — 0, 1, 2, …
 * interleaved over the threads, so no key repeats until N requests (the all-distinct worst case: every one a miss);
 * p95 printed by `done` (wrk's --latency shows p50/75/90/99 only).
 */
const LUA_HELPERS = `
math.randomseed(os.time())
local cdfs = {}
function zipf(n)
  local cdf = cdfs[n]
  if not cdf then
    cdf = {}
    local sum = 0
    for i = 1, n do sum = sum + 1 / i; cdf[i] = sum end
    for i = 1, n do cdf[i] = cdf[i] / sum end
    cdfs[n] = cdf
  end
  local u, lo, hi = math.random(), 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo - 1
end
local threads = 0
setup = function(thread) thread:set("tid", threads); threads = threads + 1 end
local counter = -1
function nextDistinct()
  counter = counter + 1
  return (tid or 0) + counter * ${THREADS}
end
done = function(summary, latency, requests)
  io.write(string.format("P95 %d\\n", latency:percentile(95)))
end
`;

// The query of rank or sequence number k: two words (a third, unfinished, for suggestions); distinct for k < W².
const Q_WORDS = WORDS.length + PRODUCTS.length;
const queryOf = (k: string, partial: boolean) =>
  `words[${k} % ${Q_WORDS} + 1] .. "+" .. words[math.floor(${k} / ${Q_WORDS}) % ${Q_WORDS} + 1]${partial ? ` .. "+" .. string.sub(words[(${k} * 7) % ${Q_WORDS} + 1], 1, 4)` : ''}`;

export async function measureKb() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-kb-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_kb');
  const database = await openDatabase({ url: server.url });
  await database.migrate();
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
  const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' });
  const t0 = performance.now();
  const sections: string[] = [];
  for (let c = 0; c < 5; c++) {
    const cat = await services.kb.createCategory({ name: `Category ${c}`, description: 'Bench', position: c });
    for (let s = 0; s < 4; s++) sections.push((await services.kb.createSection({ categoryId: cat.id, name: `Section ${c}.${s}`, description: '', position: s })).id);
  }
  // Articles straight into the tables, published (rendered HTML and search vector as publishing writes them).
  const random = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
  const now = new Date();
  for (let start = 0; start < N; start += 500) {
    const rows = [];
    const versions = [];
    for (let i = start; i < Math.min(N, start + 500); i++) {
      const title = `${pick(WORDS)} ${pick(PRODUCTS)} ${pick(WORDS)} ${pick(WORDS)}`.replace(/^./, (c) => c.toUpperCase());
      const paras = Array.from({ length: 4 }, () => Array.from({ length: 40 }, () => (random() < 0.1 ? pick(PRODUCTS) : pick(WORDS))).join(' '));
      const body = `${paras[0]}.\n\n## Steps\n\n1. ${paras[1]}\n2. ${paras[2]}\n\n\`\`\`\n${pick(WORDS)} --${pick(WORDS)}\n\`\`\`\n\n${paras[3]}.`;
      const { html, text } = renderArticle(body);
      const id = crypto.randomUUID();
      rows.push({
        id,
        sectionId: sections[i % sections.length] as string,
        slug: `a-${i}`,
        title,
        body,
        version: 1,
        publishedVersion: 1,
        publishedTitle: title,
        publishedHtml: html,
        publishedText: text,
        publishedAt: now,
        search: sql`setweight(to_tsvector('english', ${title}::text), 'A') || setweight(to_tsvector('english', ${text}::text), 'B')` as unknown as string,
        createdBy: admin.id,
        createdAt: now,
        updatedAt: now,
      });
      versions.push({ articleId: id, version: 1, title, body, note: 'Created', authorId: admin.id, createdAt: now });
    }
    await database.db.insert(kbArticles).values(rows);
    await database.db.insert(kbArticleVersions).values(versions);
  }
  await database.db.execute(sql`analyze`);
  const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
  log(`${N} articles in ${seedSeconds}s`);
  await services.jobs.stop();
  await database.close();

  const lifeline = new Server({ DATABASE_URL: server.url, DATA_DIR: dataDir, SMTP_LISTEN: 'false', KB_PUBLIC_REQUESTS_PER_MINUTE: '1000000000', TRUST_PROXY: 'loopback' }, 4900 + Math.floor(Math.random() * 500), root, process.env.BENCH_KB_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_KB_CPU_PROF] : []);
  await lifeline.start();
  const scripts = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-kb-lua-'));
  const paths = {
    article: { distinct: `local p = "/help/articles/a-" .. (nextDistinct() % ${N})`, zipf: `local p = "/help/articles/a-" .. zipf(${N})` },
    search: { distinct: `local k = nextDistinct()\n  local p = "/help/search?q=" .. ${queryOf('k', false)}`, zipf: `local k = zipf(${QUERIES})\n  local p = "/help/search?q=" .. ${queryOf('k', false)}` },
    suggest: { distinct: `local k = nextDistinct()\n  local p = "/api/v1/kb/suggest?q=" .. ${queryOf('k', true)}`, zipf: `local k = zipf(${QUERIES})\n  local p = "/api/v1/kb/suggest?q=" .. ${queryOf('k', true)}` },
  };
  // Clears every help-centre cache in the server (the cache hub's NOTIFY, as a publish in another process does):
  // each all-distinct run starts cold, each Zipf run starts cold too and warms as readers would after a publish.
  const notify = new pg.Client({ connectionString: server.url });
  await notify.connect();
  const clearCaches = async () => {
    await notify.query(`select pg_notify('lifeline_cache', 'kb-pages')`);
    await new Promise((r) => setTimeout(r, 200));
  };
  try {
    const dbName = new URL(server.url).pathname.slice(1);
    // What the server and its database use with no reader (jobs, schedules, the cache hub): part of every row's CPU
    // per request (at 27 requests/s, 27 ms/s of it is 1 ms a request).
    const idle = await cpuPerRequest(lifeline.pid as number, dbName, async () => {
      await new Promise((r) => setTimeout(r, 10_000));
      return { requests: 10 };
    });
    const idleCpuMsPerSecond = { server: idle.serverCpuMsPerRequest, database: idle.databaseCpuMsPerRequest };
    log('idle CPU ms/s', JSON.stringify(idleCpuMsPerSecond));
    // 1. Open-loop readers, step by step.
    const readers: Record<string, (Omit<ReadersResult, 'nextOffset' | 'mix'> & { cpuMsPerRequest: number | null; serverCpuMsPerRequest: number | null; databaseCpuMsPerRequest: number | null; goalMs: number })[]> = {};
    const crossesGoalAt: Record<string, number | null> = {};
    for (const mix of MIXES) {
      await clearCaches();
      let offset = 0;
      const step = { url: lifeline.url, mix, readers: READERS, articles: N };
      if (mix !== 'article.distinct' && WARM_SECONDS > 0) {
        log(`readers ${mix}: warming ${WARM_SECONDS}s at ${RATES[0]}/s`);
        offset = (await readersStep({ ...step, rate: RATES[0] as number, seconds: WARM_SECONDS, offset, seed: 1 })).nextOffset;
      }
      readers[mix] = [];
      crossesGoalAt[mix] = null;
      for (const [i, rate] of RATES.entries()) {
        // All distinct: every step from cleared caches, so every request is a miss.
        if (mix === 'article.distinct') await clearCaches();
        let result: ReadersResult | undefined;
        const cpu = await cpuPerRequest(lifeline.pid as number, dbName, async () => {
          result = await readersStep({ ...step, rate, seconds: i === 0 ? READERS_SECONDS : STEP_SECONDS, offset, seed: 100 + i });
          return { requests: result.ok + result.non2xx };
        });
        const { nextOffset, mix: _m, ...row } = result as ReadersResult;
        offset = nextOffset;
        readers[mix].push({ ...row, cpuMsPerRequest: cpu.cpuMsPerRequest, serverCpuMsPerRequest: cpu.serverCpuMsPerRequest, databaseCpuMsPerRequest: cpu.databaseCpuMsPerRequest, goalMs: GOAL_MS[mix] });
        log(`readers ${mix} ${rate}/s`, JSON.stringify(readers[mix].at(-1)));
        if (crossesGoalAt[mix] === null && row.latencyMs.p95 > GOAL_MS[mix]) crossesGoalAt[mix] = rate;
        if (row.latencyMs.p95 > 3 * GOAL_MS[mix] || row.errors > row.sent / 100) break;
      }
    }
    // 2. Saturation with wrk: capacity.
    const results: Record<string, ReturnType<typeof parseWrk> & { cpuMsPerRequest: number | null; loadAverage1m: number }> = {};
    const run = async (name: string, body: string) => {
      await clearCaches();
      // The Zipf mixes are measured warm, as a help centre is between two publishes: an unmeasured pass first (a
      // cold start after a publish is the all-distinct case for its first requests).
      if (name.endsWith('zipf')) await wrk(lifeline.url, luaScript(scripts, `${name.replace(/\W/g, '-')}-warm`, body), WRK_WARM_SECONDS);
      log(`wrk ${SECONDS}s, ${CONNECTIONS} connections: ${name}`);
      let parsed: ReturnType<typeof parseWrk> | undefined;
      const cpu = await cpuPerRequest(lifeline.pid as number, dbName, async () => {
        parsed = parseWrk(await wrk(lifeline.url, luaScript(scripts, name.replace(/\W/g, '-'), body), SECONDS));
        return { requests: parsed.requests };
      });
      results[name] = { ...(parsed as ReturnType<typeof parseWrk>), cpuMsPerRequest: cpu.cpuMsPerRequest, loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 10) / 10 };
      log(name, JSON.stringify(results[name]));
    };
    if (!process.env.BENCH_KB_SKIP_WRK) {
      for (const what of ['article', 'search', 'suggest'] as const) {
        for (const mix of ['zipf', 'distinct'] as const) await run(`saturated.${what}.${mix}`, paths[what][mix]);
      }
    }
    // One request at a time: what a request costs without queueing (the machine is shared; load varies).
    const sequential: Record<string, { p50: number; p95: number }> = {};
    const rand = rng(7);
    const word = () => [...WORDS, ...PRODUCTS][Math.floor(rand() * (WORDS.length + PRODUCTS.length))] as string;
    for (const [name, make] of (process.env.BENCH_KB_SKIP_SEQUENTIAL ? [] : [
      ['search', () => `/help/search?q=${word()}+${word()}`],
      ['suggest', () => `/api/v1/kb/suggest?q=${word()}+${word()}+${word().slice(0, 4)}`],
      ['articleUncached', () => `/help/articles/a-${Math.floor(rand() * N)}`],
      // Answered from memory: the cost of a cache hit without queueing.
      ['articleCached', () => '/help/articles/a-1'],
      ['searchCached', () => `/help/search?q=${WORDS[0]}+${WORDS[1]}`],
      ['suggestCached', () => `/api/v1/kb/suggest?q=${WORDS[0]}+${WORDS[1]}+${WORDS[2]?.slice(0, 4)}`],
    ]) as [string, () => string][]) {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await (await fetch(`${lifeline.url}${make()}`)).arrayBuffer();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      sequential[name] = { p50: Math.round((times[100] as number) * 10) / 10, p95: Math.round((times[190] as number) * 10) / 10 };
      log('sequential', name, JSON.stringify(sequential[name]));
    }
    const sample = await (await fetch(`${lifeline.url}/api/v1/kb/suggest?q=${encodeURIComponent(`${WORDS[0]} ${WORDS[1]}`)}`)).json();
    return {
      database: 'postgres',
      articles: N,
      seedSeconds,
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      cpus: os.cpus().length,
      idleCpuMsPerSecond,
      readers: { readers: READERS, rates: RATES, firstStepSeconds: READERS_SECONDS, stepSeconds: STEP_SECONDS, warmSeconds: WARM_SECONDS, steps: readers, crossesGoalAt },
      saturated: { seconds: SECONDS, connections: CONNECTIONS, wrkThreads: THREADS, results },
      sequential,
      suggestSampleCount: (sample as { items: unknown[] }).items.length,
      mixes: {
        zipf: `rank r of ${N} articles / ${QUERIES} queries drawn with probability ∝ 1/(r+1); caches cleared, then warmed by unmeasured requests`,
        distinct: 'every request a different article or query (each a cache miss)',
        search: `readers: 80 % Zipf over ${QUERIES} queries, 20 % never asked before`,
        suggest: 'readers: the words of a request (Zipf or never asked, as search), asked after every third character typed, 400 ms apart',
      },
      goal: { pageAndSearchP95Ms: 30, suggestP95Ms: 50 },
    };
  } finally {
    await notify.end();
    await lifeline.stop();
    // BENCH_KB_KEEP_DB=1 keeps the seeded database, e.g. to EXPLAIN the help centre's statements on it.
    if (process.env.BENCH_KB_KEEP_DB) log(`kept ${server.url}`);
    else await server.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(scripts, { recursive: true, force: true });
  }
}

/**
 * Recurring topics: BENCH_KB_TOPIC_TICKETS (default 100,000) tickets created in the last 30 days (bench/generate.ts
 * text), grouped by the `kb.topics` job's code in this process on the PostgreSQL server. Goal ≤ 10 s.
 */
export async function measureTopics() {
  const n = Number(process.env.BENCH_KB_TOPIC_TICKETS ?? 100_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-topics-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_topics');
  const database = await openDatabase({ url: server.url });
  try {
    await database.migrate();
    const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
    const t0 = performance.now();
    await generateBase(database.db, { organizations: 100, customers: 5000, agentsPerGroup: 5 });
    await generateTickets(database.db, n, (done) => log(`topics: ${done} tickets`));
    await database.db.execute(sql`update tickets set created_at = now() - random() * interval '30 days'`);
    await database.db.execute(sql`analyze tickets`);
    const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const runs = [];
    for (let i = 0; i < 2; i++) {
      // CPU time of this process (the grouping is JavaScript here; the reads are PostgreSQL's): on a shared,
      // overloaded machine wall time mostly measures the queue for a core.
      const cpu = process.cpuUsage();
      const run = await services.kbTopics.refresh();
      const used = process.cpuUsage(cpu);
      runs.push({ ...run, nodeCpuMs: Math.round((used.user + used.system) / 1000) });
    }
    await services.jobs.stop();
    log('topics', JSON.stringify(runs));
    return { database: 'postgres', tickets: n, seedSeconds, runs, goalSeconds: 10, loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10) };
  } finally {
    await database.close();
    await server.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const topics = process.env.BENCH_KB_SKIP_TOPICS ? null : await measureTopics();
  const http = process.env.BENCH_KB_SKIP_HTTP ? null : await measureKb();
  console.log(JSON.stringify({ kb: http, kbTopics: topics }, null, 2));
}
