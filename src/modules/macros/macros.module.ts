import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { macroRoutes } from './macros.routes.js';
import { MacrosService } from './macros.service.js';

/** Canned replies and field changes agents apply by hand. */
export function macrosModule(ctx: Ctx, needs: { settings: TicketSettingsService; queries: TicketQueries; people: PeopleService }) {
  const macros = new MacrosService(ctx, needs.settings, needs.queries, needs.people);
  return defineModule({ name: 'macros', services: { macros }, routes: (app) => macroRoutes(app, macros) });
}
