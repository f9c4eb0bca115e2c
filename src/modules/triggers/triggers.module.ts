import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineModule } from '../module.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { RuleActions } from '../rules/actions.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import { triggerRoutes } from './triggers.routes.js';
import { TRIGGERS_RUN, TriggersService } from './triggers.service.js';

/** Event-driven rules, run as a job after the change that fired them commits. */
export function triggersModule(ctx: Ctx, needs: { settings: TicketSettingsService; fields: CustomFieldsService; ruleActions: RuleActions }) {
  const triggers = new TriggersService(ctx, needs.settings, needs.fields, needs.ruleActions);
  return defineModule({
    name: 'triggers',
    services: { triggers },
    routes: (app) => triggerRoutes(app, triggers),
    jobs: [
      handle(TRIGGERS_RUN, async (p) => {
        await triggers.run(p);
      }),
    ],
    subscribers: [{ name: 'triggers.enqueue', attach: (tickets) => tickets.subscribe(triggers.listener()) }],
  });
}
