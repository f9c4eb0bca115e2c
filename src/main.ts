#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { buildApp, buildServices, type Services, startBackground } from './app.js';
import { type ControlRequest, controlRequest, controlSocketPath, startControlServer } from './cli/control.js';
import { Prompt } from './cli/prompt.js';
import { seedDemo } from './cli/seed-demo.js';
import { type Config, loadConfig } from './config.js';
import type { Database } from './db/client.js';
import { DataDirLockedError, lockOwner } from './db/lock.js';
import { embeddedDir, openConfiguredDatabase } from './db/open.js';
import { startSmtpListener } from './modules/email/smtp-listener.js';

const USAGE = `Usage: lifeline <command>

  start                         serve the app and API (and run jobs unless RUN_JOBS=false)
  worker                        run background jobs only (for scale-out)
  migrate                       apply database migrations
  admin create [--email E] [--password P] [--name N]
                                create an admin (prompts for what is missing)
  seed --demo                   fill the database with a realistic demo
  reports rebuild               recompute the reporting store (ticket_metrics) from the event log

Configuration comes from environment variables; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      return start(config);
    case 'worker':
      return worker(config);
    case 'migrate':
      return locallyOrThroughServer(config, 'migrate', { command: 'migrate' }, async (database) => {
        await database.migrate();
        return `Migrations applied (${database.kind}).`;
      });
    case 'admin':
      return adminCreate(config, rest);
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) {
        console.error('Only demo data can be seeded: lifeline seed --demo');
        return 2;
      }
      return locallyOrThroughServer(config, 'seed --demo', { command: 'seed.demo' }, async (database) => {
        await database.migrate();
        return seed(buildServices(config, database));
      });
    }
    case 'reports': {
      if (rest[0] !== 'rebuild') {
        console.error('Usage: lifeline reports rebuild');
        return 2;
      }
      return locallyOrThroughServer(config, 'reports rebuild', { command: 'reports.rebuild' }, async (database) => {
        await database.migrate();
        return rebuildReports(buildServices(config, database), true);
      });
    }
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

async function start(config: Config): Promise<number> {
  const database = await openOrRefuse(config, 'start');
  if (!database) return 1;
  await database.migrate();
  const { app, services } = await buildApp(config, database);
  // On an embedded database the CLI cannot open it while we hold it: it asks us over this socket instead.
  const control = database.kind === 'pglite' ? await startControlServer(controlSocketPath(config), (request) => carryOut(services, request), describeError) : undefined;
  if (database.kind === 'pglite' && !control) console.warn(`The control socket path ${controlSocketPath(config)} is too long for a Unix socket: CLI commands cannot reach this server (use a shorter DATA_DIR).`);
  const stopBackground = config.runJobs ? await startBackground(services) : undefined;
  const smtp = config.smtp.listen ? await startSmtpListener(services.email.inbound, services.email.addresses, config.smtp) : undefined;
  const stop = async () => {
    await control?.close();
    await smtp?.close();
    await app.close();
    await stopBackground?.();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Before listening, so a setup request never finds the token file missing.
  const setupToken = await services.setup.prepare();
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL server' : `embedded PGlite under ${config.dataDir}`;
  console.log(`Lifeline is running: the app at ${config.publicUrl} (listening on ${listeningOn(app.server.address())}; database: ${where}).`);
  if (smtp) console.log(`Receiving mail over SMTP on ${config.smtp.host}:${smtp.port}; outgoing mail ${services.email.outbound.mode === 'smtp' ? 'goes through SMTP_URL' : 'is kept in the outbox (GET /api/v1/outbox)'}.`);
  if (setupToken) {
    console.log(
      `\nNo admin exists yet. Open ${config.publicUrl} and set up the desk with this one-time setup token:\n\n  ${setupToken}\n\n` +
        `(also in ${services.setup.tokenPath}, readable only by you). Or from a terminal: npm run lifeline -- admin create --email you@example.org\n`,
    );
  }
  return -1;
}

async function worker(config: Config): Promise<number> {
  const database = await openOrRefuse(config, 'worker');
  if (!database) return 1;
  await database.migrate();
  const services = buildServices(config, database);
  await services.ctx.cache.start();
  const stopBackground = await startBackground(services);
  console.log('Lifeline worker is running jobs, SLA clocks and mailbox polling.');
  const stop = async () => {
    await stopBackground();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

async function adminCreate(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error('Usage: lifeline admin create [--email E] [--password P] [--name N]');
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  let email = values.email;
  let password = values.password ?? process.env.LIFELINE_ADMIN_PASSWORD;
  if (email === undefined || password === undefined) {
    const prompt = new Prompt();
    try {
      email ??= await prompt.ask('Email: ', { check: (a) => (/^[^@\s]+@[^@\s]+$/.test(a.trim()) ? undefined : 'That is not an email address.') });
      password ??= await prompt.ask(`Password (at least ${MIN_PASSWORD} characters): `, {
        secret: true,
        check: (a) => (a.length >= MIN_PASSWORD ? undefined : `Too short: use at least ${MIN_PASSWORD} characters.`),
      });
    } finally {
      prompt.close();
    }
  }
  const request = { command: 'admin.create', email: email.trim(), password, name: values.name } as const;
  return locallyOrThroughServer(config, 'admin create', request, async (database) => {
    await database.migrate();
    return createAdmin(buildServices(config, database), request);
  });
}

// The people service's rule, checked as the password is typed so that a short one asks again.
const MIN_PASSWORD = 10;

async function createAdmin(services: Services, input: { email: string; password: string; name?: string }): Promise<string> {
  const user = await services.people.createUser({ email: input.email, password: input.password, name: input.name ?? input.email.split('@')[0] ?? 'Admin', role: 'admin' });
  return `Admin ${user.email} created. Sign in with POST /api/v1/session.`;
}

async function seed(services: Services): Promise<string> {
  return `Demo data added: ${JSON.stringify(await seedDemo(services, (clock) => buildServices(services.ctx.config, services.ctx.database, clock)))}`;
}

/** Recomputes ticket_metrics from the event log; with `progress`, a line per 5 % on stderr. */
async function rebuildReports(services: Services, progress: boolean): Promise<string> {
  let shown = -1;
  const result = await services.reportsStore.rebuild({
    onProgress: (done, total) => {
      const pct = total ? Math.floor((done / total) * 20) * 5 : 100;
      if (progress && pct !== shown) {
        shown = pct;
        console.error(`reports rebuild: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} tickets (${pct} %)`);
      }
    },
    onStep: (step) => {
      if (progress) console.error(`reports rebuild: ${step}`);
    },
  });
  const rate = result.ms ? Math.round((result.tickets / result.ms) * 1000) : result.tickets;
  return `Reporting store rebuilt: ${result.tickets} tickets in ${(result.ms / 1000).toFixed(1)} s (${rate} tickets/s); daily rollups of ${result.rollups.days} days in ${(result.rollups.ms / 1000).toFixed(1)} s.`;
}

/** What the running server does for a CLI command that reached it over the control socket. */
async function carryOut(services: Services, request: ControlRequest): Promise<string> {
  switch (request.command) {
    case 'admin.create':
      return createAdmin(services, request);
    case 'seed.demo':
      return seed(services);
    case 'reports.rebuild':
      return rebuildReports(services, false);
    case 'migrate':
      return `Lifeline (pid ${process.pid}) is running on this data directory and applied the migrations when it started: nothing to do (restart it to apply newer ones).`;
  }
}

/**
 * Runs a CLI command on its own database, or — when a running Lifeline holds the embedded data directory —
 * has that process carry it out over the control socket. When the holder cannot be reached (a worker, another
 * CLI command, a server still starting), refuses, changing nothing.
 */
async function locallyOrThroughServer(config: Config, holder: string, request: ControlRequest, local: (database: Database) => Promise<string>): Promise<number> {
  let database: Database;
  try {
    database = await openConfiguredDatabase(config, holder);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    return throughServer(config, err, request);
  }
  try {
    console.log(await local(database));
    return 0;
  } catch (err) {
    console.error(describeError(err));
    return 1;
  } finally {
    await database.close();
  }
}

async function throughServer(config: Config, locked: DataDirLockedError, request: ControlRequest): Promise<number> {
  const socket = controlSocketPath(config);
  // A server that is still starting (creating the database, migrating) opens its socket when it is ready.
  const starting = locked.owner.command === 'start';
  const until = Date.now() + (starting ? 180_000 : 0);
  for (let waited = false; ; ) {
    // On stderr, so what the command prints on stdout stays its result alone.
    const response = await controlRequest(socket, request, () => console.error(`The running Lifeline (pid ${locked.owner.pid}) is carrying this out; waiting for it to finish…`));
    if (response) {
      (response.ok ? console.log : console.error)(`${response.message}\n(carried out by the running Lifeline, pid ${response.pid})`);
      return response.ok ? 0 : 1;
    }
    const owner = lockOwner(embeddedDir(config));
    if (!owner) {
      console.error(`The Lifeline that held this data directory (pid ${locked.owner.pid}) has stopped; run the command again.`);
      return 1;
    }
    if (Date.now() >= until) break;
    if (!waited) console.log(`Waiting for the Lifeline starting on this data directory (pid ${owner.pid}) to be ready…`);
    waited = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (starting) {
    console.error(`${locked.message}, but does not answer on ${socket}. Nothing was changed. Stop it first (kill ${locked.owner.pid}) and run this command again.`);
    return 1;
  }
  console.error(
    `${locked.message}, and it does not take commands (only \`lifeline start\` does). Nothing was changed.\n` +
      `Stop it first (kill ${locked.owner.pid}) and run this command again, or run it while \`npm start\` serves this data directory. ` +
      'An embedded database can be open in only one process; for several processes use a PostgreSQL server (DATABASE_URL).',
  );
  return 1;
}

/** `start` and `worker` on a data directory another process holds: refuse before touching anything. */
async function openOrRefuse(config: Config, holder: string): Promise<Database | undefined> {
  try {
    return await openConfiguredDatabase(config, holder);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    console.error(
      `${err.message}; stop it first (kill ${err.owner.pid}), or give this one its own DATA_DIR. ` +
        'An embedded database can be open in only one process; to run several (start with RUN_JOBS=false, worker) use a PostgreSQL server (DATABASE_URL).',
    );
    return undefined;
  }
}

function describeError(err: unknown): string {
  const issues = (err as { issues?: { path: unknown[]; message: string }[] }).issues;
  return issues ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') : err instanceof Error ? err.message : String(err);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);

/** The address the HTTP server really listens on, as a person would type it (`PORT=0` picks a free port). */
function listeningOn(address: ReturnType<import('node:net').Server['address']>): string {
  if (!address || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
