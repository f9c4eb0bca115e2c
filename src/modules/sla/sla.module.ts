import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineModule } from '../module.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { calendarRoutes } from './calendars.routes.js';
import { CalendarsService, RECOMPUTE_CALENDAR } from './calendars.service.js';
import { slaClockMetrics } from './sla.metrics.js';
import { slaRoutes } from './sla.routes.js';
import { SlaService } from './sla.service.js';

/** SLAs: calendars, policies, and the clocks each ticket command keeps in step; the breach sweep. */
export function slaModule(ctx: Ctx, needs: { settings: TicketSettingsService; fields: CustomFieldsService; tickets: TicketsService; queries: TicketQueries }) {
  const calendars = new CalendarsService(ctx);
  const sla = new SlaService(ctx, calendars, needs.settings, needs.fields, needs.tickets.events);
  return defineModule({
    name: 'sla',
    services: { calendars, sla },
    metrics: slaClockMetrics(ctx),
    routes: (app) => {
      calendarRoutes(app, calendars);
      slaRoutes(app, sla, needs.queries);
    },
    jobs: [
      handle(RECOMPUTE_CALENDAR, async (p) => {
        await sla.recomputeCalendar(p.calendarId);
      }),
    ],
    // Every second, one process per slot: docs/sla.md promises a breach is recorded within about 2 s of its time.
    schedules: [defineSchedule({ name: 'sla.breaches', everySeconds: 1, run: () => sla.sweep() })],
    subscribers: [{ name: 'sla.clocks', attach: (tickets) => tickets.subscribe(sla.listener()) }],
  });
}

