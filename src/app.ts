import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import path from 'node:path';
import { type Config, trustProxyOption } from './config.js';
import type { Database } from './db/client.js';
import { seedDemo } from './cli/seed-demo.js';
import { buildModules } from './modules/index.js';
import { setupRoutes } from './modules/people/setup.routes.js';
import { Presence } from './modules/tickets/presence.js';
import type { EventsNotice } from './modules/tickets/tickets.routes.js';
import { EVENTS_CHANNEL } from './modules/tickets/tickets.service.js';
import { CacheHub } from './platform/cache.js';
import { installAccessControl, type RouteEntry } from './platform/auth.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Ctx } from './platform/context.js';
import { installErrorHandling } from './platform/http.js';
import { installIdempotency } from './platform/idempotency.js';
import { JobRunner } from './platform/jobs.js';
import { jobRoutes } from './platform/jobs.routes.js';
import { createLogger, installRequestLog, quietLogController } from './platform/log.js';
import { Metrics, metricsRoutes, platformCollector } from './platform/metrics.js';
import { ScheduleRunner } from './platform/schedules.js';
import { installResponseSerializer } from './platform/responses.js';
import { installSecurityHeaders, installWebApp } from './platform/web-app.js';
import { LiveHub, LiveSignals } from './platform/live.js';
import { FileStorage } from './platform/storage.js';

export type Services = ReturnType<typeof buildServices>;

/**
 * The domain services, built by the module list (src/modules/index.ts); the job runner and schedules get every
 * module's jobs and schedules, and the tickets module every subscriber, in list order. Schedules are checked
 * here, so a bad cron expression or time zone stops start-up naming its module and schedule.
 */
export function buildServices(config: Config, database: Database, clock: Clock = systemClock) {
  const cache = new CacheHub(database);
  const ctx: Ctx = { database, db: database.db, clock, config, files: new FileStorage(path.join(config.dataDir, 'files')), cache };
  const log = createLogger(config.logLevel);
  const { list, services } = buildModules(ctx);
  const jobs = new JobRunner(database, clock, log.child({ part: 'jobs' }), config.jobConcurrency);
  const schedules = new ScheduleRunner(database, clock, log.child({ part: 'schedules' }));
  for (const m of list) {
    jobs.add(...(m.jobs ?? []));
    schedules.add(m.name, m.schedules ?? []);
    for (const s of m.subscribers ?? []) s.attach(services.tickets);
  }
  return { ctx, log, jobs, schedules, modules: list, ...services };
}

/** Background work for `start` (unless RUN_JOBS=false) and `worker`: the job runner, schedules, each module's pollers. */
export async function startBackground(services: Services): Promise<() => Promise<void>> {
  await services.jobs.start();
  services.schedules.start();
  for (const m of services.modules) await m.start?.();
  return async () => {
    for (const m of [...services.modules].reverse()) await m.stop?.();
    await services.schedules.stop();
    await services.jobs.stop();
  };
}

export type App = { app: FastifyInstance; services: Services; live: LiveHub<EventsNotice>; routes: RouteEntry[] };

export async function buildApp(config: Config, database: Database, options: { clock?: Clock; logger?: boolean; validateResponses?: boolean; webDist?: string } = {}): Promise<App> {
  const services = buildServices(config, database, options.clock);
  const app = Fastify({
    ...(options.logger === false ? { logger: false } : { loggerInstance: createLogger(config.logLevel) as FastifyBaseLogger }),
    // One line per request, heartbeats quiet: installRequestLog below.
    logController: quietLogController(),
    bodyLimit: config.maxJsonBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    requestIdHeader: 'x-request-id',
  });
  installRequestLog(app);
  // Counted as each request finishes, by route pattern (bounded: never the raw path), for GET /metrics.
  const metrics = new Metrics();
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeHttp(req.method, req.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime);
  });
  metrics.addCollector('platform', platformCollector(database));
  for (const m of services.modules) if (m.metrics) metrics.addCollector(m.name, m.metrics);
  installSecurityHeaders(app, { https: config.publicUrl.startsWith('https:') });
  app.setValidatorCompiler(validatorCompiler);
  installResponseSerializer(app, options.validateResponses ?? false);
  installErrorHandling(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Lifeline API', version: '1.0.0', description: 'The Lifeline support desk API. Errors are RFC 9457 problem+json with a stable `code`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/v1/tokens' },
          session: { type: 'apiKey', in: 'cookie', name: 'lifeline_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { config: { access: { level: 'public' } }, schema: { hide: true } }, async () => app.swagger());

  const routes = installAccessControl(app, (c) => services.people.resolveActor(c));
  installIdempotency(app, database.db, services.ctx.clock);

  const live = new LiveHub<EventsNotice>(database, EVENTS_CHANNEL);
  await live.start();
  const presence = new Presence(services.ctx);
  await presence.start();
  await services.ctx.cache.start();
  // Secrets a migration could only copy in the clear are sealed before any channel reads them.
  await services.channels.sealPending();
  app.addHook('onClose', async () => {
    await live.stop();
    await presence.stop();
    await services.ctx.cache.stop();
    services.email.outbound.close();
    metrics.stop();
  });

  app.get('/api/v1/health', { config: { access: { level: 'public' } }, schema: { hide: true } }, async () => ({ ok: true, database: database.kind }));
  const signals = new LiveSignals();
  for (const m of services.modules) m.routes?.(app, { live, presence, signals });
  // The first-run setup can load the demo, which spans every module: the same code as `lifeline seed --demo`.
  setupRoutes(app, services.ctx, services.people, services.setup, (staffPassword) =>
    seedDemo(services, (clock) => buildServices(config, database, clock), { staffPassword }),
  );
  jobRoutes(app, database, services.ctx.clock);
  metricsRoutes(app, metrics, config.metricsToken);
  await installWebApp(app, options.webDist);
  return { app, services, live, routes };
}
