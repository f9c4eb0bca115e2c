import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import { settingsRoutes } from './settings.routes.js';
import { TicketSettingsService } from './settings.service.js';
import { TicketQueries } from './tickets.queries.js';
import { ticketRoutes } from './tickets.routes.js';
import { TicketsService } from './tickets.service.js';

/** Tickets, their settings (states, priorities, forms) and the read queries other modules go through. */
export function ticketsModule(ctx: Ctx, needs: { people: PeopleService; fields: CustomFieldsService }) {
  const settings = new TicketSettingsService(ctx);
  const queries = new TicketQueries(ctx, needs.people);
  const tickets = new TicketsService(ctx, needs.people, settings, needs.fields, queries);
  return defineModule({
    name: 'tickets',
    services: { settings, queries, tickets },
    routes: (app, { live, presence, signals }) => {
      settingsRoutes(app, settings, needs.fields);
      ticketRoutes(app, ctx, tickets, queries, { live, signals }, presence, needs.people);
    },
  });
}
