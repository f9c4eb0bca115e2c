import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type App, buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { type Database, openDatabase } from '../db/client.js';
import type { Role } from '../platform/auth.js';
import { FakeClock } from '../platform/clock.js';
import { randomToken } from '../platform/crypto.js';
import type { User } from '../modules/people/people.service.js';
import type { CreateTicketBody } from '../modules/tickets/tickets.schemas.js';
import { copyOfPgliteTemplate, migratedServerTemplate } from './database-templates.js';
import { startSmtpListener } from '../modules/email/smtp-listener.js';
import nodemailer, { type SendMailOptions, type SentMessageInfo } from 'nodemailer';

/**
 * A real Lifeline on a real, empty database: in-memory PGlite by default, a fresh database on the PostgreSQL
 * server when TEST_DATABASE_URL is set. Requests go through `app.inject`, the whole HTTP stack.
 */
export type Session = { user: User; headers: Record<string, string> };
export type Res = { status: number; body: any; headers: Record<string, string | string[] | number | undefined>; raw: string };

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

export async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void>; url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  // Each is a copy of a migrated template (database-templates.ts); migrate() then finds nothing to do, and stays so a
  // template that somehow missed a migration is still brought up to date.
  if (!url) {
    const copy = await copyOfPgliteTemplate();
    const database = await openDatabase({ dataDir: copy.dir, holder: 'test' });
    await database.migrate();
    return {
      database,
      drop: async () => {
        await database.close();
        copy.remove();
      },
    };
  }
  const created = await createServerDatabase(url, 'lifeline_test', await migratedServerTemplate(url));
  const database = await openDatabase({ url: created.url });
  await database.migrate();
  return {
    database,
    url: created.url,
    drop: async () => {
      await database.close();
      await created.drop();
    },
  };
}

/** A new database on the server (empty, or a copy of `template`) at `serverUrl`, and a function that drops it. */
export async function createServerDatabase(serverUrl: string, prefix: string, template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const run = async (statement: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await run(template ? `create database ${name} template ${template}` : `create database ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

export async function startTestApp(env: Record<string, string> = {}, options: { webDist?: string } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const { database, drop, url: databaseUrl } = await openTestDatabase();
  const clock = new FakeClock('2026-03-02T09:00:00Z');
  const built: App = await buildApp(config, database, {
    clock,
    logger: false,
    validateResponses: true,
    // The agent app's build, when a test serves one; otherwise none, whatever web/dist holds.
    webDist: options.webDist ?? path.join(dataDir, 'no-web-build'),
  });
  const { app, services, routes } = built;
  let counter = 0;
  const closers: (() => Promise<void>)[] = [];

  async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const isRaw = Buffer.isBuffer(body) || typeof body === 'string';
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}), ...headers },
      payload: body === undefined ? undefined : isRaw ? (body as string | Buffer) : JSON.stringify(body),
    });
    let parsed: unknown = null;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      parsed = res.body;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers, raw: res.body };
  }

  const t = {
    app,
    routes,
    services,
    config,
    clock,
    database,
    /** The server database's URL (undefined on PGlite), for a second "process" on the same database. */
    databaseUrl,
    request,
    /** Calls the API as someone (their session cookie and CSRF token), or anonymously with `null`. */
    as(who: Session | null) {
      const h = who?.headers ?? {};
      return {
        get: (url: string, headers: Record<string, string> = {}) => request('GET', url, undefined, { ...h, ...headers }),
        post: (url: string, body?: unknown, headers: Record<string, string> = {}) => request('POST', url, body ?? {}, { ...h, ...headers }),
        patch: (url: string, body: unknown, headers: Record<string, string> = {}) => request('PATCH', url, body, { ...h, ...headers }),
        put: (url: string, body: unknown, headers: Record<string, string> = {}) => request('PUT', url, body, { ...h, ...headers }),
        delete: (url: string, headers: Record<string, string> = {}) => request('DELETE', url, undefined, { ...h, ...headers }),
      };
    },
    /** Creates a user of a role and signs them in through the API. */
    async signIn(role: Role, extra: { organizationId?: string | null; email?: string; name?: string } = {}): Promise<Session> {
      counter++;
      const email = extra.email ?? `${role}${counter}@example.org`;
      const password = 'correct horse battery';
      const user = await services.people.createUser({ email, name: extra.name ?? `${role} ${counter}`, role, password, organizationId: extra.organizationId });
      const res = await request('POST', '/api/v1/session', { email, password });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.raw}`);
      const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
      return { user, headers: { cookie, 'x-csrf-token': res.body.csrfToken } };
    },
    /** Builders, not fixtures. */
    make: {
      async ticket(as: Session, overrides: Partial<CreateTicketBody> = {}) {
        const res = await request('POST', '/api/v1/tickets', { subject: 'Cannot sync forms', description: 'Sync fails since this morning.', ...overrides }, as.headers);
        if (res.status !== 201) throw new Error(`ticket create failed: ${res.status} ${res.raw}`);
        return res.body;
      },
      async organization(overrides: Record<string, unknown> = {}) {
        counter++;
        return services.people.createOrganization({ name: `Org ${counter}`, domains: [], notes: '', sharedTickets: false, customFields: {}, ...overrides });
      },
      async group(name: string, members: Session[] = [], escalatesToId: string | null = null) {
        return services.people.createGroup({ name, description: '', escalatesToId, memberIds: members.map((m) => m.user.id) });
      },
    },
    /** Runs due jobs until none are left (the worker, synchronously, on the fake clock). */
    async runJobs(): Promise<number> {
      let total = 0;
      for (let n = await services.jobs.runDue(50); n > 0; n = await services.jobs.runDue(50)) total += n;
      return total;
    },
    /** The built-in SMTP listener on a free port of 127.0.0.1; closed with the app. */
    async smtp(): Promise<{ port: number; send: (mail: SendMailOptions) => Promise<SentMessageInfo>; dialogue: (lines: string[]) => Promise<string[]> }> {
      const listener = await startSmtpListener(services.email.inbound, services.email.addresses, { ...config.smtp, host: '127.0.0.1', port: 0 });
      closers.push(listener.close);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
      closers.push(async () => transport.close());
      return { port: listener.port, send: (mail) => transport.sendMail(mail), dialogue: (lines) => smtpDialogue(listener.port, lines) };
    },
    /** Counts rows of a table, to assert that a rejected request changed nothing. */
    async count(table: string): Promise<number> {
      const res = await database.db.execute(sql.raw(`select count(*)::int as n from ${table}`));
      return (res as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0;
    },
    async close() {
      for (const close of closers.reverse()) await close();
      await app.close();
      await services.jobs.stop();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/**
 * A hand-driven SMTP conversation (for what a mail library will not send, like a 0-byte message): each line is
 * sent after the previous reply arrives; returns every reply, the greeting first.
 */
export async function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let waiting: ((reply: string) => void) | undefined;
  socket.on('data', (d) => {
    buffer += d.toString();
    // A reply is complete at a line whose code is followed by a space (not a dash: more lines follow).
    const m = buffer.match(/(^|\r\n)(\d{3}) [^\r\n]*\r\n$/);
    if (m && waiting) {
      const reply = buffer;
      buffer = '';
      const w = waiting;
      waiting = undefined;
      w(reply.trim());
    }
  });
  const next = () => new Promise<string>((resolve) => (waiting = resolve));
  replies.push(await next());
  for (const line of lines) {
    const reply = next();
    socket.write(`${line}\r\n`);
    replies.push(await reply);
  }
  socket.end();
  return replies;
}
