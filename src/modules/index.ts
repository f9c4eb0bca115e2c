import type { Ctx } from '../platform/context.js';
import type { AnyModule } from './module.js';
import { assignmentModule } from './assignment/assignment.module.js';
import { boardsModule } from './boards/boards.module.js';
import { automationsModule } from './automations/automations.module.js';
import { channelsModule } from './channels/channels.module.js';
import { csatModule } from './csat/csat.module.js';
import { customFieldsModule } from './custom-fields/custom-fields.module.js';
import { emailModule } from './email/email.module.js';
import { incidentsModule } from './incidents/incidents.module.js';
import { kbModule } from './kb/kb.module.js';
import { macrosModule } from './macros/macros.module.js';
import { monitorsModule } from './monitors/monitors.module.js';
import { oncallModule } from './oncall/oncall.module.js';
import { passwordResetModule } from './password-reset/password-reset.module.js';
import { peopleModule } from './people/people.module.js';
import { portalModule } from './portal/portal.module.js';
import { reportsModule } from './reports/reports.module.js';
import { rulesModule } from './rules/rules.module.js';
import { slaModule } from './sla/sla.module.js';
import { ticketsModule } from './tickets/tickets.module.js';
import { triggersModule } from './triggers/triggers.module.js';
import { viewsModule } from './views/views.module.js';
import { webhooksModule } from './webhooks/webhooks.module.js';
import { widgetModule } from './widget/widget.module.js';

/**
 * THE list of Lifeline's modules, in order: each is built from the services of the modules above it, passed in
 * by name, so this function is the whole dependency graph. app.ts and main.ts loop over `list` for routes, jobs,
 * schedules, ticket event subscribers (attached in this order) and background start/stop. A new module is one
 * folder with its `<name>.module.ts` and one entry here.
 */
export function buildModules(ctx: Ctx) {
  const fields = customFieldsModule(ctx);
  const people = peopleModule(ctx, { ...fields.services });
  const tickets = ticketsModule(ctx, { ...people.services, ...fields.services });
  const channels = channelsModule(ctx, { ...people.services, ...tickets.services });
  // The knowledge base sits below email: auto-replies carry its articles.
  const kb = kbModule(ctx, { ...people.services, ...tickets.services });
  const email = emailModule(ctx, { ...channels.services, ...people.services, ...tickets.services, articles: kb.services.kbTranslations });
  // Flagged recurring topics are mailed to the admins through the outbox.
  kb.services.kbTopics.mailThrough(email.services.email.outbound);
  const sla = slaModule(ctx, { ...tickets.services, ...fields.services });
  const webhooks = webhooksModule(ctx, { ...tickets.services });
  const incidents = incidentsModule(ctx, {
    ...tickets.services,
    ...people.services,
    ...webhooks.services,
    bounces: email.services.email.inbound,
    addresses: email.services.email.addresses,
    outbound: email.services.email.outbound,
  });
  const oncall = oncallModule(ctx, { ...people.services, ...tickets.services, ...webhooks.services, addresses: email.services.email.addresses, ...incidents.services });
  const monitors = monitorsModule(ctx, { ...webhooks.services, ...incidents.services, ...oncall.services, ...people.services });
  const rules = rulesModule({ ...tickets.services, ...people.services, outbound: email.services.email.outbound, ...webhooks.services, ...oncall.services, incidents: incidents.services.incidents });
  const automations = automationsModule(ctx, { ...fields.services, ...rules.services, ...sla.services });
  const macros = macrosModule(ctx, { ...tickets.services, ...people.services, ...fields.services });
  const assignment = assignmentModule(ctx, { ...people.services, queries: tickets.services.queries });
  const triggers = triggersModule(ctx, { ...tickets.services, ...fields.services, ...rules.services });
  const reports = reportsModule(ctx, { ...tickets.services, ...sla.services, ...people.services, outbound: email.services.email.outbound });
  const views = viewsModule(ctx, { ...people.services, ...fields.services, ...tickets.services, ...sla.services });
  const csat = csatModule(ctx, { ...people.services, ...tickets.services, outbound: email.services.email.outbound });
  const statusPage = incidents.services.statusPage;
  const portal = portalModule(ctx, {
    ...people.services,
    ...tickets.services,
    ...fields.services,
    outbound: email.services.email.outbound,
    ...csat.services,
    kb: kb.services.kb,
    statusSummary: async () => (await statusPage.current()).summary,
  });
  const widget = widgetModule(ctx, { ...channels.services, ...people.services, ...tickets.services, ...kb.services, outbound: email.services.email.outbound, ...csat.services });
  const passwordReset = passwordResetModule(ctx, { ...people.services, outbound: email.services.email.outbound });
  const boards = boardsModule(ctx, { ...tickets.services, ...people.services });
  const list: AnyModule[] = [fields, people, tickets, channels, email, sla, webhooks, oncall, rules, automations, macros, assignment, triggers, views, incidents, monitors, kb, csat, portal, widget, passwordReset, boards, reports];
  const services = {
    ...fields.services,
    ...people.services,
    ...tickets.services,
    ...channels.services,
    ...email.services,
    ...sla.services,
    ...webhooks.services,
    ...oncall.services,
    ...automations.services,
    ...macros.services,
    ...assignment.services,
    ...triggers.services,
    ...views.services,
    ...incidents.services,
    ...monitors.services,
    ...kb.services,
    ...csat.services,
    ...portal.services,
    ...widget.services,
    ...passwordReset.services,
    ...boards.services,
    ...reports.services,
  };
  return { list, services };
}
