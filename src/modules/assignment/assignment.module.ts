import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { assignmentRoutes } from './assignment.routes.js';
import { AssignmentService } from './assignment.service.js';

/** Automatic assignment (round robin, load balanced) of new tickets in a group. */
export function assignmentModule(ctx: Ctx, needs: { people: PeopleService; queries: TicketQueries }) {
  const assignment = new AssignmentService(ctx, needs.people, needs.queries);
  return defineModule({
    name: 'assignment',
    services: { assignment },
    routes: (app) => assignmentRoutes(app, assignment),
    subscribers: [{ name: 'assignment.auto', attach: (tickets) => tickets.useAutoAssignment(assignment.assigner()) }],
  });
}
