import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { SlaService } from '../sla/sla.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { reportRoutes } from './reports.routes.js';
import { ReportsService } from './reports.service.js';
import { ReportsStore } from './store.service.js';

/** Reports: the ticket_metrics store kept from the event stream, the metrics defined once, their API (docs/metrics.md). */
export function reportsModule(ctx: Ctx, needs: { settings: TicketSettingsService; sla: SlaService; people: PeopleService }) {
  const reportsStore = new ReportsStore(ctx, needs.settings, needs.sla);
  const reports = new ReportsService(ctx, needs.people, needs.settings);
  return defineModule({
    name: 'reports',
    services: { reports, reportsStore },
    routes: (app) => reportRoutes(app, reports, reportsStore),
    subscribers: [{ name: 'reports.metrics', attach: (tickets) => tickets.subscribe(reportsStore.listener()) }],
    stop: () => reports.close(),
  });
}
