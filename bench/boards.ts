/**
 * Boards and time (issue 15): on the PostgreSQL server, a real Lifeline server in a child process with
 *  - 40 customer boards holding 2,000 cards (50 each, spread over the four columns; those past "New issues" are on
 *    the epics board, each with a description and a checklist): the board API's load time and size (the epics board
 *    and one customer board, p50/p95), and the epics board opening in Debian's Chromium until every column is drawn
 *    (its first screenful; more as it scrolls), with Chromium's script / layout / style time over the open (CDP
 *    Performance metrics, p50 of 5 fresh contexts);
 *  - a move's latency as a second viewer sees it: the time from sending the move until its `card` event arrives on
 *    another open stream of the epics board (p50/p95 over 30 moves);
 *  - the time report (per customer, per ticket) over a year of 100,000 entries by 200 people, and its CSV.
 * Prints one JSON document on stdout.
 *
 *   flock /tmp/bench.lock node --import tsx bench/boards.ts   (also part of `npm run bench`, unless BENCH_SKIP_BOARDS=1)
 *
 * Knobs: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_BOARD_CARDS (default 2000),
 * BENCH_TIME_ENTRIES (default 100000), BENCH_SKIP_BOARDS_BROWSER=1.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { boardColumns, cards, timeEntries } from '../src/modules/boards/boards.schema.js';
import type { Actor } from '../src/platform/auth.js';
import { createServerDatabase } from '../src/testing/harness.js';
import { buildWebApp, launchChromium } from '../test/e2e/browser.js';
import { Server } from './server.js';

const log = (...args: unknown[]) => console.error('[bench:boards]', ...args);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CARDS = Number(process.env.BENCH_BOARD_CARDS ?? 2000);
const ENTRIES = Number(process.env.BENCH_TIME_ENTRIES ?? 100_000);
const CUSTOMERS = 40;
const PEOPLE = 200;
const round = (x: number) => Math.round(x * 100) / 100;
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: at(1) };
}

export async function measureBoards() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-boards-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_boards');
  const database = await openDatabase({ url: server.url });
  await database.migrate();
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
  const password = 'bench horse battery staple';
  const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin', password });
  const actor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
  const { token } = await services.people.createToken(actor, { name: 'bench', scopes: ['admin'] });

  log(`${CUSTOMERS} customer boards, ${CARDS} cards`);
  const orgs: string[] = [];
  const moveCards: { id: string; boardId: string; upNext: string; inProgress: string }[] = [];
  const now = new Date();
  for (let o = 0; o < CUSTOMERS; o++) {
    const org = await services.people.createOrganization({ name: `Customer ${String(o).padStart(2, '0')}`, domains: [], notes: '', sharedTickets: false, customFields: {} });
    orgs.push(org.id);
    const board = await services.boards.forOrganization(org.id);
    const cols = await database.db.select().from(boardColumns).where(eq(boardColumns.boardId, board.id));
    const byRole = new Map(cols.map((c) => [c.role, c.id]));
    const per = Math.ceil(CARDS / CUSTOMERS);
    const rows = Array.from({ length: per }, (_, i) => {
      const role = (['new', 'up_next', 'in_progress', 'done'] as const)[i % 4] ?? 'new';
      return {
        boardId: board.id,
        columnId: byRole.get(role) as string,
        position: (i + 1) * 1024,
        epicsPosition: (o * per + i + 1) * 1024,
        onEpics: role !== 'new',
        organizationId: org.id,
        title: `Card ${o}-${i}: a piece of planned support work with a realistic title`,
        // What a card in use carries: a paragraph or two and a short checklist (the board no longer sends them).
        description: `The customer reports that ${'the nightly export of their records stops half-way and has to be restarted by hand; '.repeat(4)}`,
        checklist: [{ text: 'Reproduce on staging', done: true }, { text: 'Fix and test', done: false }, { text: 'Tell the customer', done: false }],
        labels: i % 3 ? ['bug'] : ['feature', 'q2'],
        estimateHours: (i % 8) + 1,
        completedAt: role === 'done' ? now : null,
        createdAt: now,
        updatedAt: now,
      };
    });
    const made = await database.db.insert(cards).values(rows).returning({ id: cards.id, columnId: cards.columnId });
    const first = made.find((c) => c.columnId === byRole.get('up_next'));
    if (first && moveCards.length < 30) moveCards.push({ id: first.id, boardId: board.id, upNext: byRole.get('up_next') as string, inProgress: byRole.get('in_progress') as string });
  }

  log(`${PEOPLE} people, ${ENTRIES} time entries over a year`);
  const people: string[] = [];
  for (let p = 0; p < PEOPLE; p++) people.push((await services.people.createUser({ email: `tt-${p}@bench.example`, name: `Tracker ${p}`, role: 'agent' })).id);
  const start = Date.UTC(2025, 2, 1);
  for (let i = 0; i < ENTRIES; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, ENTRIES - i) }, (_, j) => {
      const n = i + j;
      return {
        userId: people[n % PEOPLE] as string,
        organizationId: orgs[(n * 7) % CUSTOMERS] as string,
        workDate: new Date(start + (n % 365) * 86_400_000).toISOString().slice(0, 10),
        minutes: 15 + (n % 16) * 15,
        description: `Work ${n}`,
        billable: n % 5 !== 0,
        createdAt: now,
      };
    });
    await database.db.insert(timeEntries).values(batch);
  }
  await database.close();

  const webDist = process.env.BENCH_SKIP_BOARDS_BROWSER ? undefined : buildWebApp();
  const lifeline = new Server({ DATABASE_URL: server.url, DATA_DIR: dataDir, SMTP_LISTEN: 'false' }, 4400 + Math.floor(Math.random() * 400), root);
  await lifeline.start();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${lifeline.url}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
    return res;
  };
  try {
    const timed = async (n: number, fn: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      return stats(ms);
    };
    let epicsBytes = 0;
    let epicsCards = 0;
    const epicsLoad = await timed(10, async () => {
      const text = await (await api('GET', '/api/v1/boards/epics')).text();
      epicsBytes = text.length;
      epicsCards = (JSON.parse(text) as { cards: unknown[] }).cards.length;
    });
    const epicsId = ((await (await api('GET', '/api/v1/boards/epics')).json()) as { board: { id: string } }).board.id;
    const customerLoad = await timed(10, () => api('GET', `/api/v1/boards/${moveCards[0]?.boardId}`).then((r) => r.text()));
    log('board API', { epicsLoad, customerLoad, epicsCards, epicsBytes });

    // A second viewer's stream of the epics board.
    let text = '';
    const stream = await new Promise<http.ClientRequest>((resolve, reject) => {
      const req = http.get(`${lifeline.url}/api/v1/boards/${epicsId}/stream`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('error', () => {});
        resolve(req);
      });
      req.on('error', reject);
    });
    const seen: number[] = [];
    const saved: number[] = [];
    for (let round_ = 0; round_ < 30; round_++) {
      const c = moveCards[round_ % moveCards.length];
      if (!c) break;
      const current = (await (await api('GET', `/api/v1/cards/${c.id}`)).json()) as { version: number; columnId: string };
      const to = current.columnId === c.upNext ? c.inProgress : c.upNext;
      const marker = `"version":${current.version + 1}`;
      const before = text.length;
      const t0 = performance.now();
      await api('POST', `/api/v1/cards/${c.id}/move`, { boardId: c.boardId, columnId: to, index: 0, version: current.version });
      saved.push(performance.now() - t0);
      const deadline = t0 + 10_000;
      while (!text.slice(before).split('\n\n').some((e) => e.includes(c.id) && e.includes(marker))) {
        if (performance.now() > deadline) throw new Error('the move never reached the second viewer');
        await new Promise((r) => setTimeout(r, 1));
      }
      seen.push(performance.now() - t0);
    }
    stream.destroy();
    const move = { savedMs: stats(saved), seenBySecondViewerMs: stats(seen) };
    log('moves', move);

    const report = await timed(10, () => api('GET', '/api/v1/time/report?from=2025-03-01&to=2026-02-28').then((r) => r.json()));
    const oneCustomer = await timed(10, () => api('GET', `/api/v1/time/report?from=2025-03-01&to=2026-02-28&organizationId=${orgs[0]}`).then((r) => r.json()));
    let csvRows = 0;
    const csv = await timed(3, async () => {
      csvRows = (await (await api('GET', '/api/v1/time/report.csv?from=2025-03-01&to=2026-02-28')).text()).split('\r\n').length - 2;
    });
    log('time report', { report, oneCustomer, csv, csvRows });

    let browser: unknown = null;
    if (webDist) {
      const chromium = await launchChromium();
      try {
        const signIn = await fetch(`${lifeline.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin.email, password }) });
        const cookie = /lifeline_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] as string;
        const opens: number[] = [];
        const profile: Record<string, number[]> = { scriptMs: [], layoutMs: [], styleMs: [], tilesDrawn: [], domNodes: [] };
        for (let i = 0; i < 5; i++) {
          const context = await chromium.newContext({ viewport: { width: 1400, height: 900 } });
          await context.addCookies([{ name: 'lifeline_session', value: cookie, url: lifeline.url }]);
          const page = await context.newPage();
          await page.goto(`${lifeline.url}/views/all`);
          await page.getByRole('navigation', { name: 'Views' }).waitFor();
          // Chromium's own counters over the open (CDP Performance.getMetrics): script, layout and style time.
          const cdp = await context.newCDPSession(page);
          await cdp.send('Performance.enable');
          const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
          const m0 = await metrics();
          const t0 = performance.now();
          await page.getByRole('link', { name: 'Epics board' }).click();
          // Opened: every column drawn with its first cards (all of a column's tiles come in one React commit).
          await page.waitForFunction(
            () => {
              const cols = document.querySelectorAll('[data-column-id]');
              return cols.length >= 3 && [...cols].every((c) => c.querySelector('[data-testid="card"]'));
            },
            undefined,
            { timeout: 60_000 },
          );
          opens.push(performance.now() - t0);
          const m1 = await metrics();
          const d = (k: string) => ((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000;
          profile.scriptMs?.push(d('ScriptDuration'));
          profile.layoutMs?.push(d('LayoutDuration'));
          profile.styleMs?.push(d('RecalcStyleDuration'));
          profile.tilesDrawn?.push(await page.getByTestId('card').count());
          profile.domNodes?.push(m1.Nodes ?? 0);
          await context.close();
        }
        browser = { epicsBoardOpenMs: stats(opens), cards: epicsCards, openProfileP50: Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, stats(v).p50])) };
        log('browser', browser);
      } finally {
        await chromium.close();
      }
    }
    return { database: 'postgres', cards: CARDS, customers: CUSTOMERS, boardApiMs: { epics: epicsLoad, customer: customerLoad, epicsCards, epicsBytes }, move, timeReport: { entries: ENTRIES, people: PEOPLE, allCustomersMs: report, oneCustomerMs: oneCustomer, csvMs: csv, csvRows }, browser };
  } finally {
    await lifeline.stop();
    await server.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ boards: await measureBoards() }, null, 2));
  process.exit(0);
}
