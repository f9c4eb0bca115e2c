/**
 * Status-page subscriber fan-out (issue 12): one incident update with "notify subscribers" to 10,000 confirmed
 * subscribers, on the PostgreSQL server, mail going to a real local SMTP server (a sink that counts what arrives).
 * Measures: how long posting the update takes (it must not wait for mail), the time until every notice is queued
 * (the fan-out job wrote the ledger and the batch jobs), and the time until the outbox is drained (every message
 * accepted by the SMTP sink). Jobs run in this process through the job runner, as a worker would run them.
 * Prints one JSON document on stdout.
 *
 *   node --import tsx bench/status-fanout.ts     (also part of `npm run bench`, unless BENCH_SKIP_FANOUT=1)
 *
 * Knobs: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_FANOUT_SUBSCRIBERS (default 10000),
 * BENCH_FANOUT_CONCURRENCY (jobs at once, default 4).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, rowsOf } from '../src/db/client.js';
import type { Actor } from '../src/platform/auth.js';
import { createServerDatabase } from '../src/testing/harness.js';

const log = (...args: unknown[]) => console.error('[bench:fanout]', ...args);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_FANOUT_CONCURRENCY ?? 4);
const LINKED = Number(process.env.BENCH_FANOUT_LINKED ?? 1000);

export async function measureStatusFanout() {
  let received = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}?ignoreTLS=true`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-fanout-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_fanout');
  const database = await openDatabase({ url: server.url });
  await database.migrate();
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SMTP_URL: smtpUrl }), database);
  try {
    const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' });
    const actor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
    const api = await services.statusComponents.create({ name: 'Sync API', groupName: null, description: '', position: 1, status: 'operational' });
    const web = await services.statusComponents.create({ name: 'Web app', groupName: null, description: '', position: 2, status: 'operational' });
    // Confirmed subscribers: a third to every component, a third to Sync API, a third to Web app (not notified);
    // plus SUBSCRIBERS who do get it, so exactly SUBSCRIBERS notices go out.
    const total = Math.round(SUBSCRIBERS * 1.5);
    await database.db.execute(sql`
      insert into status_subscribers (email, status, all_components, confirmed_at, created_at, updated_at)
      select 'sub' || g || '@bench.example', 'active', g % 3 = 0, now(), now(), now() from generate_series(1, ${total}) g`);
    await database.db.execute(sql`
      insert into status_subscriber_components (subscriber_id, component_id)
      select id, case when split_part(email, '@', 1)::text ~ '[02468]$' then ${api.id}::uuid else ${web.id}::uuid end
      from status_subscribers where not all_components`);
    const expected = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from status_subscribers s where s.all_components or exists (select 1 from status_subscriber_components c where c.subscriber_id = s.id and c.component_id = ${api.id}::uuid)`,
      ),
    )[0]?.n as number;
    log(`${total} subscribers, ${expected} of them on Sync API or all components`);
    const inc = await services.incidents.declare(actor, { title: 'Sync is down', severity: 'P1', components: [{ id: api.id, status: 'major_outage' }], roles: {}, impact: '' });
    // The affected customers' tickets, linked: the update is also one public reply on each (issue 12's 1,000).
    const linked: string[] = [];
    for (let i = 0; i < LINKED; i++) linked.push((
          await services.tickets.create(actor, {
            subject: `Cannot sync (${i})`,
            description: 'Sync fails.',
            format: 'markdown',
            requester: { email: `customer${i}@bench.example` },
            tags: [],
            customFields: {},
            followerIds: [],
            cc: [],
            attachmentIds: [],
          })
        ).ticket.id);
    for (let i = 0; i < linked.length; i += 500) await services.incidents.linkTickets(actor, inc.id, linked.slice(i, i + 500));
    log(`${linked.length} tickets linked`);
    await services.jobs.runDue(5000, CONCURRENCY);

    const count = async (q: ReturnType<typeof sql>) => rowsOf<{ n: number }>(await database.db.execute(q))[0]?.n ?? 0;
    const t0 = performance.now();
    await services.incidents.postUpdate(actor, inc.id, { state: 'investigating', body: 'Sync fails for every customer; we are on it.', eta: null, notifyCustomers: linked.length > 0, notifySubscribers: true });
    const postMs = performance.now() - t0;
    // On the status page (this process serves it from memory): the update's text in the rendered page.
    while (!(await services.statusPage.current()).html.includes('Sync fails for every customer; we are on it.')) await new Promise((r) => setTimeout(r, 5));
    const visibleMs = performance.now() - t0;
    // The linked tickets' replies were queued with the update (one job each, in its transaction).
    const ticketNoticesQueued = await count(sql`select count(*)::int as n from jobs where kind = 'incidents.notify-ticket'`);
    let queuedMs: number | null = null;
    for (;;) {
      const ran = await services.jobs.runDue(50, CONCURRENCY);
      if (queuedMs === null && (await count(sql`select count(*)::int as n from status_notices where fanned_out_at is not null`)) > 0) queuedMs = performance.now() - t0;
      if (ran === 0) break;
    }
    const drainedMs = performance.now() - t0;
    const sent = await count(sql`select count(*)::int as n from status_deliveries where status = 'sent'`);
    const batches = await count(sql`select count(*)::int as n from jobs where kind = 'status.batch'`);
    // Replaying every batch job sends nothing more (the ledger).
    const before = received;
    for (let b = 0; b < batches; b++) await services.subscribers.sendBatch({ key: `incident-update:${rowsOf<{ id: string }>(await database.db.execute(sql`select id from incident_updates limit 1`))[0]?.id}`, batch: b });
    const result = {
      database: 'postgres',
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      cpus: os.cpus().length,
      subscribers: total,
      notified: expected,
      batches,
      concurrency: CONCURRENCY,
      linkedTickets: linked.length,
      ticketNoticesQueued,
      postUpdateMs: Math.round(postMs),
      visibleOnStatusPageMs: Math.round(visibleMs),
      allQueuedMs: queuedMs === null ? null : Math.round(queuedMs),
      drainedMs: Math.round(drainedMs),
      messagesPerSecond: Math.round((received / drainedMs) * 1000),
      ledgerSent: sent,
      smtpReceived: received,
      replaySentExtra: received - before,
      // allQueuedMs: every subscriber's ledger row and batch job written (the ticket notices were queued at postUpdateMs).
      goal: { visibleOnStatusPageMs: 1000, allQueuedMs: 10_000 },
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    await services.jobs.stop();
    for (const m of services.modules) await m.stop?.();
    await database.close();
    await server.drop();
    await new Promise<void>((r) => sink.close(() => r()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ statusFanout: await measureStatusFanout() }, null, 2));
  process.exit(0);
}
