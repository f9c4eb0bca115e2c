import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { macroRoutes } from './macros.routes.js';
import { MacrosService } from './macros.service.js';

/** Canned replies and field changes agents apply by hand. */
export function macrosModule(ctx: Ctx, needs: { settings: TicketSettingsService; queries: TicketQueries; people: PeopleService; tickets: TicketsService; fields: CustomFieldsService }) {
  const macros = new MacrosService(ctx, needs.settings, needs.queries, needs.people, needs.tickets, needs.fields);
  return defineModule({ name: 'macros', services: { macros }, routes: (app) => macroRoutes(app, macros, needs.queries) });
}
