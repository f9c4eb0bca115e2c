import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { SlaService } from '../sla/sla.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { viewRoutes } from './views.routes.js';
import { ViewsService } from './views.service.js';

/** Saved ticket lists (filters, columns, sort) per agent, group or everyone. */
export function viewsModule(ctx: Ctx, needs: { people: PeopleService; fields: CustomFieldsService; queries: TicketQueries; sla: SlaService }) {
  const views = new ViewsService(ctx, needs.people, needs.fields, needs.queries, needs.sla);
  return defineModule({ name: 'views', services: { views }, routes: (app) => viewRoutes(app, views) });
}
