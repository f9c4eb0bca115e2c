#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { buildApp, buildServices } from './app.js';
import { seedDemo } from './cli/seed-demo.js';
import { loadConfig } from './config.js';
import { openConfiguredDatabase } from './db/open.js';
import { startSmtpListener } from './modules/email/smtp-listener.js';

const USAGE = `Usage: lifeline <command>

  start                         serve the app and API (and run jobs unless RUN_JOBS=false)
  worker                        run background jobs only (for scale-out)
  migrate                       apply database migrations
  admin create [--email E] [--password P] [--name N]
                                create an admin (prompts for what is missing)
  seed --demo                   fill the database with a realistic demo

Configuration comes from environment variables; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'start':
      return start(config);
    case 'worker':
      return worker(config);
    case 'migrate': {
      const database = await openConfiguredDatabase(config);
      await database.migrate();
      await database.close();
      console.log(`Migrations applied (${database.kind}).`);
      return 0;
    }
    case 'admin':
      return adminCreate(config, rest);
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) {
        console.error('Only demo data can be seeded: lifeline seed --demo');
        return 2;
      }
      const database = await openConfiguredDatabase(config);
      await database.migrate();
      const summary = await seedDemo(buildServices(config, database));
      await database.close();
      console.log(`Demo data added: ${JSON.stringify(summary)}`);
      return 0;
    }
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

async function start(config: ReturnType<typeof loadConfig>): Promise<number> {
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const { app, services } = await buildApp(config, database);
  if (config.runJobs) {
    await services.jobs.start();
    await services.email.pollers.start();
    services.sla.start(1000, (err) => console.error('SLA sweep failed:', err));
    services.automations.start(config.automationSweepMs, (err) => console.error('automation sweep failed:', err));
  }
  const smtp = config.smtp.listen ? await startSmtpListener(services.email.inbound, services.email.addresses, config.smtp) : undefined;
  const stop = async () => {
    await smtp?.close();
    await app.close();
    await services.email.pollers.stop();
    await services.jobs.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL server' : `embedded PGlite under ${config.dataDir}`;
  console.log(`Lifeline is running at ${config.publicUrl} (database: ${where}).`);
  if (smtp) console.log(`Receiving mail over SMTP on ${config.smtp.host}:${smtp.port}; outgoing mail ${services.email.outbound.mode === 'smtp' ? 'goes through SMTP_URL' : 'is kept in the outbox (GET /api/v1/outbox)'}.`);
  if ((await services.people.countUsers('admin')) === 0) {
    console.log('\nNo admin exists yet. Create one with:\n  npm run lifeline -- admin create --email you@example.org\n(then sign in with POST /api/v1/session, or browse the API at /api/docs)\n');
  }
  return -1;
}

async function worker(config: ReturnType<typeof loadConfig>): Promise<number> {
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const services = buildServices(config, database);
  await services.ctx.cache.start();
  await services.jobs.start();
  await services.email.pollers.start();
  services.sla.start(1000, (err) => console.error('SLA sweep failed:', err));
  services.automations.start(config.automationSweepMs, (err) => console.error('automation sweep failed:', err));
  console.log('Lifeline worker is running jobs, SLA clocks and mailbox polling.');
  const stop = async () => {
    services.sla.stop();
    services.automations.stop();
    await services.email.pollers.stop();
    await services.jobs.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

async function adminCreate(config: ReturnType<typeof loadConfig>, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error('Usage: lifeline admin create [--email E] [--password P] [--name N]');
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const email = values.email ?? (await rl.question('Email: '));
  const password = values.password ?? process.env.LIFELINE_ADMIN_PASSWORD ?? (await rl.question('Password (at least 10 characters): '));
  rl.close();
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  try {
    const { people } = buildServices(config, database);
    const user = await people.createUser({ email, password, name: values.name ?? email.split('@')[0] ?? 'Admin', role: 'admin' });
    console.log(`Admin ${user.email} created. Sign in with POST /api/v1/session.`);
    return 0;
  } catch (err) {
    const issues = (err as { issues?: { path: unknown[]; message: string }[] }).issues;
    console.error(issues ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') : (err as Error).message);
    return 1;
  } finally {
    await database.close();
  }
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
