import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Timestamp } from '../../platform/responses.js';
import { ActionSchema } from '../rules/actions.js';
import { ConditionSchema } from '../rules/conditions.js';
import { TRIGGER_EVENTS } from './triggers.schema.js';
import { TriggerBody, type TriggersService, UpdateTriggerBody } from './triggers.service.js';

const IdParams = z.object({ id: z.uuid() });

const TriggerView = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  active: z.boolean(),
  events: z.array(z.enum(TRIGGER_EVENTS)),
  condition: ConditionSchema,
  actions: z.array(ActionSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function triggerRoutes(app: FastifyInstance, triggers: TriggersService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['triggers'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/triggers', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(TriggerView) }) } } }, async () => ({ items: await triggers.list() }));
  r.post('/api/v1/triggers', { config: { access: admin }, schema: { tags, body: TriggerBody, response: { 201: TriggerView } } }, async (req, reply) => reply.status(201).send(await triggers.create(req.body)));
  r.get('/api/v1/triggers/:id', { config: { access: staff }, schema: { tags, params: IdParams } }, async (req) => triggers.get(req.params.id));
  r.patch('/api/v1/triggers/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateTriggerBody, response: { 200: TriggerView } } }, async (req) =>
    triggers.update(req.params.id, req.body),
  );
  r.delete('/api/v1/triggers/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await triggers.remove(req.params.id);
    return reply.status(204).send();
  });
}
