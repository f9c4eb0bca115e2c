import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import type { OutboundService } from '../email/outbound.service.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { csatRoutes } from './csat.routes.js';
import { CSAT_SEND, CSAT_STEP, CsatService } from './csat.service.js';

/** Satisfaction surveys after a solve (docs/csat.md). */
export function csatModule(ctx: Ctx, needs: { people: PeopleService; settings: TicketSettingsService; queries: TicketQueries; outbound: OutboundService; tickets: TicketsService }) {
  const csat = new CsatService(ctx, needs);
  // Every new or changed rating goes on the ticket's event stream (a bad one is a trigger event, satisfaction_bad).
  csat.onRated = (s) => needs.tickets.recordSatisfaction(s.requesterId, s.ticketId, { surveyId: s.id, rating: s.rating ?? 'good', reason: s.reason, comment: s.comment });
  return defineModule({
    name: 'csat',
    services: { csat },
    routes: (app) => csatRoutes(app, csat, needs.queries),
    jobs: [handle(CSAT_SEND, (p) => csat.send(p.surveyId))],
    // A step: the survey is scheduled (or cancelled by a reopen) in the transaction of the change itself.
    subscribers: [
      {
        name: CSAT_STEP,
        attach: (tickets) => tickets.subscribe({ name: CSAT_STEP, mode: 'step', order: 50, kinds: ['field_changed', 'merged_into'], run: (tx, events, ticket) => csat.onTicketEvents(tx, events, ticket) }),
      },
    ],
  });
}
