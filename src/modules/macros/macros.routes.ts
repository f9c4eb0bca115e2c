import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { MacroBody, type MacrosService, UpdateMacroBody } from './macros.service.js';

const IdParams = z.object({ id: z.uuid() });

const MacroChanges = z.object({
  status: z.string().optional(),
  priority: z.string().optional(),
  type: z.string().nullable().optional(),
  addTags: z.array(z.string()).optional(),
  removeTags: z.array(z.string()).optional(),
});
const MacroView = z.object({ id: z.uuid(), name: z.string(), body: z.string(), public: z.boolean(), changes: MacroChanges, ownerId: z.uuid().nullable() });

export function macroRoutes(app: FastifyInstance, macros: MacrosService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['macros'];
  const agent = { level: 'agent', scope: 'tickets:read' } as const;
  const agentWrite = { level: 'agent', scope: 'tickets:write' } as const;

  r.get('/api/v1/macros', { config: { access: agent }, schema: { tags, response: { 200: z.object({ items: z.array(MacroView) }) } } }, async (req) => ({ items: await macros.list(requireActor(req)) }));
  r.post('/api/v1/macros', { config: { access: agentWrite }, schema: { tags, body: MacroBody } }, async (req, reply) =>
    reply.status(201).send(await macros.create(requireActor(req), req.body)),
  );
  r.get('/api/v1/macros/:id', { config: { access: agent }, schema: { tags, params: IdParams } }, async (req) => macros.get(requireActor(req), req.params.id));
  r.patch('/api/v1/macros/:id', { config: { access: agentWrite }, schema: { tags, params: IdParams, body: UpdateMacroBody } }, async (req) =>
    macros.update(requireActor(req), req.params.id, req.body),
  );
  r.delete('/api/v1/macros/:id', { config: { access: agentWrite }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await macros.remove(requireActor(req), req.params.id);
    return reply.status(204).send();
  });
  r.post(
    '/api/v1/tickets/:ticketId/macros/:id/render',
    {
      config: { access: { level: 'agent', scope: 'tickets:read' } },
      schema: {
        tags,
        params: z.object({ ticketId: z.uuid(), id: z.uuid() }),
        response: { 200: z.object({ body: z.string(), public: z.boolean(), changes: MacroChanges }) },
        description: "The macro's text for this ticket, to fill the composer, and the changes it makes.",
      },
    },
    async (req) => macros.render(requireActor(req), req.params.id, req.params.ticketId),
  );
}
