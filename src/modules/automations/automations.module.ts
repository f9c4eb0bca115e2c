import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { RuleActions } from '../rules/actions.js';
import type { CalendarsService } from '../sla/calendars.service.js';
import { automationRoutes } from './automations.routes.js';
import { AutomationsService } from './automations.service.js';

/** Time-based rules, swept every AUTOMATION_SWEEP_SECONDS. */
export function automationsModule(ctx: Ctx, needs: { fields: CustomFieldsService; ruleActions: RuleActions; calendars: CalendarsService }) {
  const automations = new AutomationsService(ctx, needs.fields, needs.ruleActions, needs.calendars);
  return defineModule({
    name: 'automations',
    services: { automations },
    routes: (app) => automationRoutes(app, automations),
    schedules: [defineSchedule({ name: 'automations.sweep', everySeconds: ctx.config.automationSweepMs / 1000, run: () => automations.sweep() })],
  });
}
