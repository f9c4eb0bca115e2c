import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TriggerBody, type TriggersService, UpdateTriggerBody } from './triggers.service.js';

const IdParams = z.object({ id: z.uuid() });

export function triggerRoutes(app: FastifyInstance, triggers: TriggersService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['triggers'];
  const staff = { level: 'staff' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/triggers', { config: { access: staff }, schema: { tags } }, async () => ({ items: await triggers.list() }));
  r.post('/api/v1/triggers', { config: { access: admin }, schema: { tags, body: TriggerBody } }, async (req, reply) => reply.status(201).send(await triggers.create(req.body)));
  r.get('/api/v1/triggers/:id', { config: { access: staff }, schema: { tags, params: IdParams } }, async (req) => triggers.get(req.params.id));
  r.patch('/api/v1/triggers/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateTriggerBody } }, async (req) =>
    triggers.update(req.params.id, req.body),
  );
  r.delete('/api/v1/triggers/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await triggers.remove(req.params.id);
    return reply.status(204).send();
  });
}
