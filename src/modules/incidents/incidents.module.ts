import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineSchedule } from '../../platform/schedules.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { ComponentsService } from './components.service.js';
import { IncidentQueries } from './incidents.queries.js';
import { incidentRoutes, statusRoutes } from './incidents.routes.js';
import { IncidentsService, NOTIFY_TICKET } from './incidents.service.js';
import { StatusPage } from './status-page.js';

/**
 * Major incidents and the public status page. Other modules hook onto a declared incident with
 * `incidents.onDeclared({ name, run: (tx, incident) => enqueue(…) })` (docs/incidents.md).
 */
export function incidentsModule(ctx: Ctx, needs: { tickets: TicketsService; queries: TicketQueries; settings: TicketSettingsService; people: PeopleService }) {
  const incidents = new IncidentsService(ctx, needs.tickets, needs.queries, needs.settings, needs.people);
  const incidentQueries = new IncidentQueries(ctx, needs.queries, needs.people);
  const statusComponents = new ComponentsService(ctx);
  const statusPage = new StatusPage(ctx, incidentQueries, incidents);
  incidents.onChange(() => statusPage.invalidate());
  statusComponents.onChange(() => statusPage.invalidate());
  return defineModule({
    name: 'incidents',
    services: { incidents, incidentQueries, statusComponents, statusPage },
    routes: (app) => {
      incidentRoutes(app, { incidents, queries: incidentQueries, components: statusComponents });
      statusRoutes(app, statusPage);
    },
    jobs: [handle(NOTIFY_TICKET, (p) => incidents.notifyTicket(p))],
    // The update cadence: remind the lead before a status update is due, mark it late after.
    schedules: [defineSchedule({ name: 'incidents.cadence', everySeconds: 60, run: () => incidents.sweepCadence() })],
  });
}
