/**
 * Paging (issue 12): a real Lifeline server (a child process, PostgreSQL server, its own job runner) with an
 * escalation policy on PMERIT's scheme (P0 pages step 1, management after the step's wait). Mail goes to a real
 * local SMTP sink and the page webhook to a local HTTP receiver, both in this process.
 * Measures, on the wall clock:
 *  - P0 ticket created (POST /api/v1/tickets) → the page's email accepted by the SMTP sink, and → its webhook
 *    received (p50/p95). Goal ≤ 2 s.
 *  - escalation: the step's wait expired (page created + 1 min) → step 2's email received (p50/p95). Goal ≤ 2 s.
 * Prints one JSON document on stdout.
 *
 *   node --import tsx bench/paging.ts      (also part of `npm run bench`, unless BENCH_SKIP_PAGING=1)
 *
 * Knobs: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_PAGING_N (P0 tickets, default 20).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { buildServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import type { Actor } from '../src/platform/auth.js';
import { createServerDatabase } from '../src/testing/harness.js';
import { Server } from './server.js';

const log = (...args: unknown[]) => console.error('[bench:paging]', ...args);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_PAGING_N ?? 20);
const WAIT_MS = 60_000; // the smallest step wait a policy may have (1 minute)

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number) : null;
};

export async function measurePaging() {
  // Arrivals, by subject (the page's title is the ticket's subject) and recipient, at the wall clock.
  const mails = new Map<string, number>();
  const hooks = new Map<string, number>();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => {
        raw += d.toString();
      });
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
        for (const to of session.envelope.rcptTo) if (!mails.has(`${to.address} ${subject}`)) mails.set(`${to.address} ${subject}`, performance.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      try {
        const p = JSON.parse(body) as { page: { title: string; step: number }; person: { email: string } };
        const key = `${p.person.email} ${p.page.title}`;
        if (!hooks.has(key)) hooks.set(key, performance.now());
      } catch {}
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-bench-paging-'));
  const server = await createServerDatabase(PG_URL, 'lifeline_bench_paging');
  const database = await openDatabase({ url: server.url });
  await database.migrate();
  const services = buildServices(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database);
  const admin = await services.people.createUser({ email: 'bench-admin@bench.example', name: 'Bench', role: 'admin' });
  const actor: Actor = { userId: admin.id, role: 'admin', organizationId: null, email: admin.email, name: admin.name, via: 'session', scopes: null, csrfToken: null };
  const { token } = await services.people.createToken(actor, { name: 'bench', scopes: ['admin'] });
  const engineer = await services.people.createUser({ email: 'engineer@bench.example', name: 'On-call engineer', role: 'agent' });
  const manager = await services.people.createUser({ email: 'manager@bench.example', name: 'Manager', role: 'admin' });
  await services.jobs.stop();
  await database.close();

  const smtpPort = (sink.server.address() as AddressInfo).port;
  const lifeline = new Server(
    { DATABASE_URL: server.url, DATA_DIR: dataDir, SMTP_LISTEN: 'false', SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' },
    4900 + Math.floor(Math.random() * 500),
    root,
  );
  await lifeline.start();
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${lifeline.url}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
  const waitFor = async (have: () => boolean, ms: number) => {
    const until = performance.now() + ms;
    while (!have() && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    await call('POST', '/api/v1/priority-schemes/pmerit/activate');
    const policy = await call('POST', '/api/v1/oncall/policies', {
      name: 'P0 / P1',
      steps: [
        { delayMinutes: 1, targets: [{ type: 'user', id: engineer.id }] },
        { delayMinutes: 1, targets: [{ type: 'user', id: manager.id }] },
      ],
    });
    await call('PUT', '/api/v1/oncall/settings', { ticketPriorities: ['P0', 'P1'], ticketPolicyId: policy.id, webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/page` });

    const toEmail: number[] = [];
    const toWebhook: number[] = [];
    const created: { subject: string; at: number }[] = [];
    for (let i = 0; i < N; i++) {
      const subject = `Production down ${i} ${Date.now()}`;
      const t0 = performance.now();
      await call('POST', '/api/v1/tickets', { subject, description: 'Nothing loads.', requester: { email: `customer${i}@bench.example` }, priority: 'P0' });
      created.push({ subject, at: t0 });
      // The page's title is "#<ticket number> <subject>"; its mail's subject "[Page #n] <title>".
      const arrival = (m: Map<string, number>, email: string) => [...m.entries()].find(([k]) => k.startsWith(`${email} `) && k.endsWith(` ${subject}`))?.[1];
      await waitFor(() => arrival(mails, engineer.email) !== undefined && arrival(hooks, engineer.email) !== undefined, 10_000);
      const mailAt = arrival(mails, engineer.email);
      if (mailAt !== undefined) toEmail.push(mailAt - t0);
      const hookAt = arrival(hooks, engineer.email);
      if (hookAt !== undefined) toWebhook.push(hookAt - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`paged ${toEmail.length}/${N} by email, ${toWebhook.length}/${N} by webhook; waiting for escalations`);
    // Nobody acknowledges: each page goes to step 2 once its 1-minute wait is over.
    const pages = ((await call('GET', '/api/v1/oncall/pages?limit=100')) as { items: { title: string; createdAt: string }[] }).items;
    const wallOffset = Date.now() - performance.now();
    const escalation: number[] = [];
    await waitFor(() => created.every((c) => [...mails.keys()].some((k) => k.startsWith(manager.email) && k.endsWith(c.subject))), WAIT_MS + 60_000);
    for (const c of created) {
      const page = pages.find((p) => p.title.endsWith(` ${c.subject}`));
      const at = [...mails.entries()].find(([k]) => k.startsWith(manager.email) && k.endsWith(c.subject))?.[1];
      if (page && at !== undefined) escalation.push(at + wallOffset - (new Date(page.createdAt).getTime() + WAIT_MS));
    }
    const managerMails = [...mails.keys()].filter((k) => k.startsWith(manager.email)).length;
    const result = {
      database: 'postgres',
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      cpus: os.cpus().length,
      pages: N,
      ticketToEmailMs: { p50: pct(toEmail, 50), p95: pct(toEmail, 95), max: pct(toEmail, 100), n: toEmail.length },
      ticketToWebhookMs: { p50: pct(toWebhook, 50), p95: pct(toWebhook, 95), max: pct(toWebhook, 100), n: toWebhook.length },
      waitExpiredToEscalationEmailMs: { p50: pct(escalation, 50), p95: pct(escalation, 95), max: pct(escalation, 100), n: escalation.length },
      // Exactly once: one step-2 mail per page.
      escalationMailsToManager: managerMails,
      goal: { ticketToEmailMs: 2000, escalationMs: 2000 },
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    await lifeline.stop();
    await server.drop();
    await new Promise<void>((r) => sink.close(() => r()));
    await new Promise((r) => receiver.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ paging: await measurePaging() }, null, 2));
  process.exit(0);
}
