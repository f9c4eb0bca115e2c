import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineSchedule } from '../../platform/schedules.js';
import { defineModule } from '../module.js';
import type { AddressesService } from '../email/addresses.service.js';
import type { BounceListener } from '../email/inbound.service.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { AUTO_DECLARE, AutoDeclare } from './auto-declare.js';
import { ComponentsService } from './components.service.js';
import { IncidentQueries } from './incidents.queries.js';
import { incidentRoutes, logoRoutes, statusRoutes } from './incidents.routes.js';
import { IncidentsService, NOTIFY_TICKET, TICKET_STATE } from './incidents.service.js';
import { MaintenanceService } from './maintenance.service.js';
import { wireStatusEvents } from './status-events.js';
import { StatusMailer } from './status-mail.js';
import { StatusLogo } from './status-logo.js';
import { StatusPage } from './status-page.js';
import { subscriberRoutes } from './subscribers.routes.js';
import { STATUS_BATCH, STATUS_CONFIRM, STATUS_FANOUT, SubscribersService } from './subscribers.service.js';

/**
 * Major incidents and the public status page. Other modules hook onto a declared incident with
 * `incidents.onDeclared({ name, run: (tx, incident) => enqueue(…) })` (docs/incidents.md).
 */
export function incidentsModule(
  ctx: Ctx,
  needs: {
    tickets: TicketsService;
    queries: TicketQueries;
    settings: TicketSettingsService;
    people: PeopleService;
    webhooks: WebhooksService;
    // The email module's bounce hook and the sender address of status mail.
    bounces: { onBounce: (listener: BounceListener) => void };
    addresses: AddressesService;
    // Overdue action items are mailed to their owners through the outbox.
    outbound: Pick<OutboundService, 'queueStandalone'>;
  },
) {
  const incidents = new IncidentsService(ctx, needs.tickets, needs.queries, needs.settings, needs.people, needs.outbound);
  const incidentQueries = new IncidentQueries(ctx, needs.queries, needs.people, needs.settings);
  const autoDeclare = new AutoDeclare(ctx, incidents, needs.people, needs.settings, needs.queries);
  const statusComponents = new ComponentsService(ctx);
  const statusLogo = new StatusLogo(ctx);
  const statusPage = new StatusPage(ctx, incidentQueries, incidents, statusLogo);
  statusLogo.onChange(() => statusPage.invalidate());
  incidents.onChange(() => statusPage.invalidate());
  statusComponents.onChange(() => statusPage.invalidate());
  const maintenance = new MaintenanceService(ctx);
  maintenance.onChange(() => statusPage.invalidate());
  const statusMailer = new StatusMailer(ctx, async () => {
    const address = await needs.addresses.defaultAddress();
    return address ? `"${address.name.replace(/["\\\r\n]/g, '')} status" <${address.address}>` : `status@${new URL(ctx.config.publicUrl).hostname}`;
  });
  const subscribers = new SubscribersService(ctx, statusMailer, async () => (await incidents.settings()).statusPageTitle);
  needs.bounces.onBounce((tx, b) => subscribers.bounced(tx, b));
  wireStatusEvents(ctx, { incidents, maintenance, subscribers, webhooks: needs.webhooks });
  return defineModule({
    name: 'incidents',
    services: { incidents, incidentQueries, statusComponents, statusPage, maintenance, subscribers },
    routes: (app, { signals }) => {
      incidentRoutes(app, ctx, { incidents, queries: incidentQueries, components: statusComponents, people: needs.people }, signals);
      logoRoutes(app, statusLogo);
      statusRoutes(app, statusPage, { perMinute: ctx.config.statusRateLimitPerMinute, now: () => ctx.clock.now().getTime() });
      subscriberRoutes(app, { subscribers, maintenance, page: statusPage });
      // The pooled SMTP connections end with the server (as the email module's transport does), not only with a worker.
      app.addHook('onClose', async () => statusMailer.close());
    },
    jobs: [
      handle(NOTIFY_TICKET, (p) => incidents.notifyTicket(p)),
      handle(AUTO_DECLARE, (p) => autoDeclare.run(p)),
      handle(TICKET_STATE, (p) => incidents.moveLinkedTicket(p)),
      handle(STATUS_CONFIRM, (p) => subscribers.sendConfirmation(p)),
      handle(STATUS_FANOUT, (p) => subscribers.fanOut(p)),
      handle(STATUS_BATCH, (p) => subscribers.sendBatch(p)),
    ],
    // The update cadence: remind the lead before a status update is due, mark it late after.
    schedules: [
      defineSchedule({ name: 'incidents.cadence', everySeconds: 60, run: () => incidents.sweepCadence() }),
      // Overdue retro action items: each owner reminded once per due date (in-app and by mail).
      defineSchedule({ name: 'incidents.action-items', everySeconds: 300, run: () => incidents.sweepActionItems() }),
      // Scheduled maintenance starts and ends within 30 s of its times (components go under maintenance and back).
      defineSchedule({ name: 'incidents.maintenance', everySeconds: 30, run: () => maintenance.sweep() }),
    ],
    // Tickets that become an auto-declare priority declare an incident (a job, after the ticket's commit).
    subscribers: [{ name: 'incidents.auto-declare', attach: (tickets) => tickets.subscribe({ name: 'incidents.auto-declare', kinds: ['created', 'field_changed'], jobs: (tx, events, ticket) => autoDeclare.jobs(tx, events, ticket) }) }],
    stop: async () => statusMailer.close(),
  });
}
