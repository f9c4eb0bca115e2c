import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Timestamp } from '../../platform/responses.js';
import { ActionSchema } from '../rules/actions.js';
import { ConditionSchema } from '../rules/conditions.js';
import { AutomationBody, type AutomationsService, UpdateAutomationBody } from './automations.service.js';

const IdParams = z.object({ id: z.uuid() });

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
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['automations'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/automations', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(AutomationView) }) } } }, async () => ({ items: await automations.list() }));
  r.post('/api/v1/automations', { config: { access: admin }, schema: { tags, body: AutomationBody, response: { 201: AutomationView } } }, async (req, reply) =>
    reply.status(201).send(await automations.create(req.body)),
  );
  r.get('/api/v1/automations/:id', { config: { access: staff }, schema: { tags, params: IdParams } }, async (req) => automations.get(req.params.id));
  r.patch('/api/v1/automations/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateAutomationBody, response: { 200: AutomationView } } }, async (req) =>
    automations.update(req.params.id, req.body),
  );
  r.delete('/api/v1/automations/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await automations.remove(req.params.id);
    return reply.status(204).send();
  });
  // Runs a sweep now instead of at the next interval (after editing a rule, or to see its effect).
  r.post('/api/v1/automations/sweep', { config: { access: admin }, schema: { tags } }, async () => ({ fired: await automations.sweep() }));
}
