import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import path from 'node:path';
import { type Config, trustProxyOption } from './config.js';
import type { Database } from './db/client.js';
import { assignmentRoutes } from './modules/assignment/assignment.routes.js';
import { AssignmentService } from './modules/assignment/assignment.service.js';
import { automationRoutes } from './modules/automations/automations.routes.js';
import { AutomationsService } from './modules/automations/automations.service.js';
import { CustomFieldsService } from './modules/custom-fields/custom-fields.service.js';
import { macroRoutes } from './modules/macros/macros.routes.js';
import { MacrosService } from './modules/macros/macros.service.js';
import { RuleActions } from './modules/rules/actions.js';
import { TRIGGER_JOB, TriggersService } from './modules/triggers/triggers.service.js';
import { triggerRoutes } from './modules/triggers/triggers.routes.js';
import { viewRoutes } from './modules/views/views.routes.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { WEBHOOK_JOB, WebhooksService } from './modules/webhooks/webhooks.service.js';
import { ViewsService } from './modules/views/views.service.js';
import { channelRoutes } from './modules/channels/channels.routes.js';
import { ChannelsService } from './modules/channels/channels.service.js';
import { AddressesService } from './modules/email/addresses.service.js';
import { emailEventListener, noteDeliveryFailures, registerEmailJobs } from './modules/email/email.jobs.js';
import { emailRoutes } from './modules/email/email.routes.js';
import { ImapPollers } from './modules/email/imap-poller.js';
import { InboundService } from './modules/email/inbound.service.js';
import { OutboundService } from './modules/email/outbound.service.js';
import { peopleRoutes } from './modules/people/people.routes.js';
import { PeopleService } from './modules/people/people.service.js';
import { calendarRoutes } from './modules/sla/calendars.routes.js';
import { CalendarsService, RECOMPUTE_JOB } from './modules/sla/calendars.service.js';
import { slaRoutes } from './modules/sla/sla.routes.js';
import { SlaService } from './modules/sla/sla.service.js';
import { Presence } from './modules/tickets/presence.js';
import { settingsRoutes } from './modules/tickets/settings.routes.js';
import { TicketSettingsService } from './modules/tickets/settings.service.js';
import { TicketQueries } from './modules/tickets/tickets.queries.js';
import { type EventsNotice, ticketRoutes } from './modules/tickets/tickets.routes.js';
import { EVENTS_CHANNEL, TicketsService } from './modules/tickets/tickets.service.js';
import { CacheHub } from './platform/cache.js';
import { installAccessControl, type RouteEntry } from './platform/auth.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Ctx } from './platform/context.js';
import { installErrorHandling } from './platform/http.js';
import { installIdempotency } from './platform/idempotency.js';
import { JobRunner } from './platform/jobs.js';
import { installResponseSerializer } from './platform/responses.js';
import { installSecurityHeaders, installWebApp } from './platform/web-app.js';
import { LiveHub } from './platform/live.js';
import { Secrets } from './platform/secrets.js';
import { FileStorage } from './platform/storage.js';

export type Services = ReturnType<typeof buildServices>;

/** The domain services, wired by hand: each gets exactly what it uses. */
export function buildServices(config: Config, database: Database, clock: Clock = systemClock) {
  const cache = new CacheHub(database);
  const ctx: Ctx = { database, db: database.db, clock, config, files: new FileStorage(path.join(config.dataDir, 'files')), cache };
  const fields = new CustomFieldsService(ctx);
  const people = new PeopleService(ctx, fields);
  const settings = new TicketSettingsService(ctx);
  const queries = new TicketQueries(ctx, people);
  const tickets = new TicketsService(ctx, people, settings, fields, queries);
  const jobs = new JobRunner(database, clock, (err, job) => console.error(`job ${job.kind}#${job.id} failed:`, err), config.jobConcurrency);
  // The email channel: addresses, the inbound pipeline, outgoing mail, and the IMAP pollers (started by main).
  // Channel connections (IMAP today), their secrets sealed with the process's key.
  const channels = new ChannelsService(ctx, Secrets.load(config));
  const addresses = new AddressesService(ctx, settings, channels);
  const outbound = new OutboundService(ctx, addresses);
  const inbound = new InboundService(ctx, addresses, people, settings, tickets, outbound);
  const pollers = new ImapPollers(ctx, addresses, inbound);
  registerEmailJobs(jobs, inbound, outbound);
  tickets.onEvents(emailEventListener(ctx));
  noteDeliveryFailures(outbound, tickets);
  // SLAs: calendars, policies, and the clocks each ticket command keeps in step.
  const calendars = new CalendarsService(ctx);
  const sla = new SlaService(ctx, calendars, settings, fields);
  tickets.onEvents(sla.listener());
  jobs.register(RECOMPUTE_JOB, async (p) => {
    await sla.recomputeCalendar((p as { calendarId: string }).calendarId);
  });
  const webhooks = new WebhooksService(ctx, queries);
  jobs.register(WEBHOOK_JOB, async (p, job) => {
    await webhooks.deliver((p as { deliveryId: string }).deliveryId, job);
  });
  const ruleActions = new RuleActions(tickets, settings, people, outbound, webhooks);
  const automations = new AutomationsService(ctx, fields, ruleActions, calendars);
  const macros = new MacrosService(ctx, settings, queries, people);
  const assignment = new AssignmentService(ctx, people, tickets);
  tickets.onEvents(assignment.listener());
  const triggers = new TriggersService(ctx, settings, fields, ruleActions);
  tickets.onEvents(triggers.listener());
  jobs.register(TRIGGER_JOB, async (p) => {
    await triggers.run(p as Parameters<TriggersService['run']>[0]);
  });
  const views = new ViewsService(ctx, people, fields, queries, sla);
  return { ctx, fields, people, settings, queries, tickets, views, webhooks, jobs, channels, email: { addresses, inbound, outbound, pollers }, calendars, sla, automations, macros, triggers, assignment };
}

export type App = { app: FastifyInstance; services: Services; live: LiveHub<EventsNotice>; routes: RouteEntry[] };

export async function buildApp(config: Config, database: Database, options: { clock?: Clock; logger?: boolean; validateResponses?: boolean; webDist?: string } = {}): Promise<App> {
  const services = buildServices(config, database, options.clock);
  const app = Fastify({
    logger: options.logger === false ? false : { level: config.logLevel },
    bodyLimit: config.maxJsonBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    requestIdHeader: 'x-request-id',
  });
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
    services.sla.stop();
    services.automations.stop();
  });

  app.get('/api/v1/health', { config: { access: { level: 'public' } }, schema: { hide: true } }, async () => ({ ok: true, database: database.kind }));
  peopleRoutes(app, services.ctx, services.people);
  channelRoutes(app, services.channels);
  settingsRoutes(app, services.settings, services.fields);
  ticketRoutes(app, services.ctx, services.tickets, services.queries, live, presence, services.people);
  calendarRoutes(app, services.calendars);
  slaRoutes(app, services.sla, services.queries);
  automationRoutes(app, services.automations);
  macroRoutes(app, services.macros);
  triggerRoutes(app, services.triggers);
  assignmentRoutes(app, services.assignment);
  viewRoutes(app, services.views);
  webhookRoutes(app, services.webhooks);
  emailRoutes(app, services.ctx, { ...services.email, queries: services.queries, pollers: () => services.email.pollers });
  await installWebApp(app, options.webDist);
  return { app, services, live, routes };
}
