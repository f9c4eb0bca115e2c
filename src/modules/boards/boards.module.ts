import type { Ctx } from '../../platform/context.js';
import { defineSchedule } from '../../platform/schedules.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { boardRoutes } from './boards.routes.js';
import { BoardsService } from './boards.service.js';
import { PlanningService } from './planning.service.js';
import { TimeService } from './time.service.js';

/**
 * Customer boards, the epics board, and time tracked per customer (docs/boards-and-time.md). Tickets change only
 * through the tickets service (backlogging, a card moved to a column mapped to a state), inside the board's
 * transaction.
 */
export function boardsModule(ctx: Ctx, needs: { tickets: TicketsService; queries: TicketQueries; settings: TicketSettingsService; people: PeopleService }) {
  const boards = new BoardsService(ctx, needs.tickets, needs.queries, needs.settings, needs.people);
  const time = new TimeService(ctx, needs.queries, needs.people, needs.settings);
  const planning = new PlanningService(ctx, needs.queries, needs.people);
  return defineModule({
    name: 'boards',
    services: { boards, time, planning },
    routes: (app) => boardRoutes(app, ctx, { boards, time, planning, people: needs.people, ticketQueries: needs.queries }),
    schedules: [
      // Cards in "Recently completed" for longer than the setting (7 days) archive themselves.
      defineSchedule({ name: 'boards.archive', cron: '15 * * * *', timeZone: 'UTC', run: () => boards.sweepArchive() }),
      // Each person's end-of-day reminder when they logged nothing (once per person and day).
      defineSchedule({ name: 'time.reminders', everySeconds: 300, run: () => time.sweepReminders() }),
    ],
  });
}
