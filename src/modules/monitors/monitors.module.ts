import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { ComponentsService } from '../incidents/components.service.js';
import type { IncidentQueries } from '../incidents/incidents.queries.js';
import type { IncidentsService } from '../incidents/incidents.service.js';
import { defineModule } from '../module.js';
import type { OncallService } from '../oncall/oncall.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import { monitorRoutes } from './monitors.routes.js';
import { MONITOR_ALERT, MONITOR_CHECK, MONITOR_RECOVERED, MonitorsService } from './monitors.service.js';

/** HTTP checks and heartbeats on status components; failures open draft incidents and page (docs/incidents.md). */
export function monitorsModule(
  ctx: Ctx,
  needs: { webhooks: WebhooksService; incidents: IncidentsService; incidentQueries: IncidentQueries; statusComponents: ComponentsService; oncall: OncallService; people: PeopleService },
) {
  const monitors = new MonitorsService(ctx, needs);
  return defineModule({
    name: 'monitors',
    services: { monitors },
    routes: (app) => monitorRoutes(app, monitors, () => ctx.clock.now().getTime()),
    jobs: [handle(MONITOR_CHECK, (p) => monitors.runCheck(p)), handle(MONITOR_ALERT, (p) => monitors.openAlert(p)), handle(MONITOR_RECOVERED, (p) => monitors.noteRecovery(p))],
    // Due checks are claimed every 10 s (intervals are whole 30 s or more, so a check is at most 10 s late).
    schedules: [defineSchedule({ name: 'monitors.sweep', everySeconds: 10, run: () => monitors.sweep() })],
  });
}
