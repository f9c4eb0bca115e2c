import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { crudRoutes } from '../../platform/crud-routes.js';
import { Timestamp } from '../../platform/responses.js';
import { ActionSchema } from '../rules/actions.js';
import { ConditionSchema } from '../rules/conditions.js';
import { AutomationBody, type AutomationsService, UpdateAutomationBody } from './automations.service.js';

const AutomationView = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  active: z.boolean(),
  calendarId: z.uuid().nullable(),
  condition: ConditionSchema,
  actions: z.array(ActionSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function automationRoutes(app: FastifyInstance, automations: AutomationsService): void {
  crudRoutes(app, { path: '/api/v1/automations', tags: ['automations'], view: AutomationView, body: AutomationBody, patch: UpdateAutomationBody, service: automations });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = { level: 'admin', scope: 'admin' } as const;
  // Runs a sweep now instead of at the next interval (after editing a rule, or to see its effect).
  r.post('/api/v1/automations/sweep', { config: { access: admin }, schema: { tags: ['automations'] } }, async () => ({ fired: await automations.sweep() }));
}
