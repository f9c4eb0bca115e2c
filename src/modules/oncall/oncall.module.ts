import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { AddressesService } from '../email/addresses.service.js';
import type { IncidentsService } from '../incidents/incidents.service.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { oncallRoutes } from './oncall.routes.js';
import { ONCALL_HANDOFF, ONCALL_TICKET, OncallService } from './oncall.service.js';
import { ONCALL_ESCALATE, ONCALL_NOTIFY } from './pages.js';

/** On-call schedules, escalation policies and pages (docs/oncall.md). */
export function oncallModule(ctx: Ctx, needs: { people: PeopleService; settings: TicketSettingsService; webhooks: WebhooksService; addresses: AddressesService; incidents: IncidentsService }) {
  const mailFrom = async () => {
    const address = await needs.addresses.defaultAddress();
    return address ? `"${address.name.replace(/["\\\r\n]/g, '')} on-call" <${address.address}>` : `oncall@${new URL(ctx.config.publicUrl).hostname}`;
  };
  const oncall = new OncallService(ctx, { people: needs.people, settings: needs.settings, webhooks: needs.webhooks, mailFrom });
  // A declared incident pages (inside the declaring transaction: the page and its jobs commit with it).
  needs.incidents.onDeclared({ name: 'oncall.page', run: (tx, incident) => oncall.incidentDeclared(tx, incident) });
  return defineModule({
    name: 'oncall',
    services: { oncall },
    routes: (app) => oncallRoutes(app, ctx, oncall, needs.people),
    jobs: [
      handle(ONCALL_TICKET, (p) => oncall.pageTicket(p)),
      handle(ONCALL_NOTIFY, (p, job) => oncall.pages.deliver(p.notificationId, job)),
      handle(ONCALL_ESCALATE, (p, job) => oncall.pages.escalate(p, job)),
      handle(ONCALL_HANDOFF, (p) => oncall.sendHandoff(p)),
    ],
    // Hand-off summaries: each shift change is found within a minute; each summary goes once (oncall_handoffs).
    schedules: [defineSchedule({ name: 'oncall.handoffs', everySeconds: 60, run: async () => void (await oncall.runHandoffs()) })],
    subscribers: [{ name: 'oncall.page-tickets', attach: (tickets) => tickets.subscribe({ name: 'oncall.page-tickets', kinds: ['created', 'field_changed'], jobs: (tx, events, ticket) => oncall.ticketJobs(tx, events, ticket) }) }],
    stop: async () => oncall.mailer.close(),
  });
}
