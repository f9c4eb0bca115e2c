import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { rowsOf } from '../src/db/client.js';
import { WEB_DIST } from '../src/platform/web-app.js';
import { buildWebApp, launchChromium } from '../test/e2e/browser.js';
import { generateBase, generateTickets } from './generate.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.floor(s.length / 2)] ?? 0) * 10) / 10;
};

/** The initial route's files as the browser gets them: the JS and CSS index.html loads, gzipped. */
export function bundleSize(dist = WEB_DIST) {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
  const gz = (f: string) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
  const kb = (n: number) => Math.round(n / 102.4) / 10;
  const js = files.filter((f) => f.endsWith('.js'));
  const css = files.filter((f) => f.endsWith('.css'));
  return {
    initialJsGzipKb: kb(js.reduce((a, f) => a + gz(f), 0)),
    initialCssGzipKb: kb(css.reduce((a, f) => a + gz(f), 0)),
    initialJsRawKb: kb(js.reduce((a, f) => a + fs.statSync(path.join(dist, f)).size, 0)),
    files,
  };
}

/**
 * The agent app in Debian's Chromium against a database of `tickets` tickets: navigation to the first ticket
 * list rendered (a fresh browser context each run, so nothing is cached), and opening a ticket with 50 messages
 * (a full page load, and inside the running app). Medians of `runs` runs. The server runs in this process.
 */
export async function measureWeb(database: Database, dataDir: string, tickets: number, log: (...a: unknown[]) => void, runs = 7) {
  buildWebApp();
  const bundle = bundleSize();
  const have = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from tickets`))[0]?.n ?? 0;
  if (have === 0) await generateBase(database.db, { organizations: 200, customers: 10_000, agentsPerGroup: 5 });
  if (have < tickets) await generateTickets(database.db, tickets - have, (d) => log(`  web: generated ${have + d}/${tickets}`));
  const { app, services } = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const password = 'bench-password-123';
  const agent =
    (await services.people.findUserByEmail('web-bench@bench.example')) ??
    (await services.people.createUser({ email: 'web-bench@bench.example', name: 'Web Bench', role: 'agent', password }));
  // A ticket with 50 messages, written through the service like any conversation.
  const actor = { userId: agent.id, role: 'agent' as const, organizationId: null, email: agent.email, name: agent.name, via: 'session' as const, scopes: null, csrfToken: null };
  const { detail } = await services.tickets.create(actor, { subject: 'A long conversation', description: 'Message 1', format: 'markdown', requester: { email: 'long@bench.example' }, tags: [], customFields: {}, followerIds: [], cc: [], attachmentIds: [] });
  for (let i = 2; i <= 50; i++) {
    await services.tickets.addMessage(actor, detail.id, { body: `Message ${i}: ${'we looked into the sync logs again and found more. '.repeat(3)}`, format: 'markdown', public: i % 5 !== 0, attachmentIds: [] });
  }
  const browser = await launchChromium();
  const signIn = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: agent.email, password }) });
  const cookie = /lifeline_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1] as string;
  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addCookies([{ name: 'lifeline_session', value: cookie, url: base }]);
    return { context, page: await context.newPage() };
  };
  const firstList: number[] = [];
  const ticketLoad: number[] = [];
  const ticketInApp: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { context, page } = await newPage();
    let t0 = performance.now();
    await page.goto(`${base}/views/all`);
    await page.getByTestId('ticket-row').first().waitFor();
    firstList.push(performance.now() - t0);
    // In the running app: a client-side navigation, the way a click on a row opens a ticket.
    t0 = performance.now();
    await page.evaluate((n) => {
      history.pushState(null, '', `/tickets/${n}`);
      dispatchEvent(new PopStateEvent('popstate'));
    }, detail.number);
    await page.locator('[data-testid=public-message], [data-testid=internal-note]').nth(49).waitFor();
    ticketInApp.push(performance.now() - t0);
    await context.close();
    const fresh = await newPage();
    t0 = performance.now();
    await fresh.page.goto(`${base}/tickets/${detail.number}`);
    await fresh.page.locator('[data-testid=public-message], [data-testid=internal-note]').nth(49).waitFor();
    ticketLoad.push(performance.now() - t0);
    await fresh.context.close();
  }
  await browser.close();
  await app.close();
  await services.jobs.stop();
  return {
    tickets,
    bundle,
    firstTicketListMs: { median: median(firstList), runs: firstList.map(Math.round) },
    openTicket50MessagesMs: { fullLoadMedian: median(ticketLoad), inAppMedian: median(ticketInApp), runs: ticketLoad.map(Math.round) },
  };
}
