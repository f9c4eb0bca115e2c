import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { OutboundService } from '../email/outbound.service.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { SlaService } from '../sla/sla.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { digestRoutes } from './digests.routes.js';
import { DIGEST_SEND, DigestsService } from './digests.service.js';
import { reportRoutes } from './reports.routes.js';
import { ReportsService } from './reports.service.js';
import { ReportRollups } from './rollups.service.js';
import { ReportsStore } from './store.service.js';

/** Reports: the ticket_metrics store kept from the event stream, the metrics defined once, their API, digests by email (docs/metrics.md). */
export function reportsModule(ctx: Ctx, needs: { settings: TicketSettingsService; sla: SlaService; people: PeopleService; outbound: OutboundService }) {
  const reportRollups = new ReportRollups(ctx);
  const reportsStore = new ReportsStore(ctx, needs.settings, needs.sla, reportRollups);
  const reports = new ReportsService(ctx, needs.people, needs.settings, reportRollups);
  const digests = new DigestsService(ctx, reports, needs.people, needs.outbound);
  return defineModule({
    name: 'reports',
    services: { reports, reportsStore, reportRollups, digests },
    routes: (app) => {
      // Before /reports/:metric in reading order; Fastify prefers the static path either way.
      digestRoutes(app, digests);
      reportRoutes(app, reports, reportsStore);
    },
    jobs: [handle(DIGEST_SEND, (p, job) => digests.send(p, job))],
    // Every minute: digests whose local time has come (each recipient's own time zone; see digest-time.ts).
    schedules: [
      defineSchedule({ name: 'reports.digests', everySeconds: 60, run: () => digests.enqueueDue() }),
      // Every minute: rollups of the days a change made stale, and of days not built yet (docs/metrics.md), at most a
      // month of days a run — schedules tick together, so a first build of years of tickets must not hold up digests.
      defineSchedule({ name: 'reports.rollups', everySeconds: 60, run: () => reportRollups.refresh({ maxDays: 31 }) }),
    ],
    subscribers: [{ name: 'reports.metrics', attach: (tickets) => tickets.subscribe(reportsStore.listener()) }],
    stop: () => reports.close(),
  });
}
