import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { TicketDetail } from '../tickets/tickets.responses.js';
import { ApplyMacroBody, MacroBody, type MacrosService, PreviewMacroBody, ReorderMacrosBody, UpdateMacroBody } from './macros.service.js';

const IdParams = z.object({ id: z.uuid() });

const MacroChanges = z.object({
  status: z.string().optional(),
  priority: z.string().optional(),
  type: z.string().nullable().optional(),
  groupId: z.string().nullable().optional(),
  assigneeId: z.string().nullable().optional(),
  addTags: z.array(z.string()).optional(),
  removeTags: z.array(z.string()).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
});
const MacroView = z.object({
  id: z.uuid(),
  name: z.string(),
  body: z.string(),
  public: z.boolean(),
  changes: MacroChanges,
  ownerId: z.uuid().nullable(),
  position: z.number().int(),
  active: z.boolean(),
});
const PreviewTicket = z.object({
  id: z.uuid(),
  number: z.number().int(),
  subject: z.string(),
  status: z.string(),
  priority: z.string().nullable(),
  type: z.string().nullable(),
  groupId: z.uuid().nullable(),
  assigneeId: z.uuid().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
});

export function macroRoutes(app: FastifyInstance, macros: MacrosService, queries: TicketQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['macros'];
  const agent = { level: 'agent', scope: 'tickets:read' } as const;
  const agentWrite = { level: 'agent', scope: 'tickets:write' } as const;

  r.get(
    '/api/v1/macros',
    {
      config: { access: agent },
      schema: {
        tags,
        querystring: z.object({ include: z.enum(['inactive']).optional() }),
        response: { 200: z.object({ items: z.array(MacroView) }) },
        description: 'The shared macros and your own, in order; `include=inactive` adds the deactivated ones.',
      },
    },
    async (req) => ({ items: await macros.list(requireActor(req), { includeInactive: req.query.include === 'inactive' }) }),
  );
  r.post('/api/v1/macros', { config: { access: agentWrite }, schema: { tags, body: MacroBody, response: { 201: MacroView } } }, async (req, reply) =>
    reply.status(201).send(await macros.create(requireActor(req), req.body)),
  );
  r.put(
    '/api/v1/macros/order',
    { config: { access: agentWrite }, schema: { tags, body: ReorderMacrosBody, response: { 200: z.object({ items: z.array(MacroView) }) }, description: 'Puts these macros in this order.' } },
    async (req) => ({ items: await macros.reorder(requireActor(req), req.body.ids) }),
  );
  r.post(
    '/api/v1/macros/preview',
    {
      config: { access: agent },
      schema: {
        tags,
        body: PreviewMacroBody,
        response: { 200: z.object({ body: z.string(), changes: MacroChanges, ticket: PreviewTicket }) },
        description: 'A draft macro rendered on a real ticket (by number or id), with the ticket as it is now.',
      },
    },
    async (req) => macros.preview(requireActor(req), req.body),
  );
  r.get('/api/v1/macros/:id', { config: { access: agent }, schema: { tags, params: IdParams, response: { 200: MacroView } } }, async (req) => macros.get(requireActor(req), req.params.id));
  r.patch('/api/v1/macros/:id', { config: { access: agentWrite }, schema: { tags, params: IdParams, body: UpdateMacroBody, response: { 200: MacroView } } }, async (req) =>
    macros.update(requireActor(req), req.params.id, req.body),
  );
  r.post('/api/v1/macros/:id/duplicate', { config: { access: agentWrite }, schema: { tags, params: IdParams, response: { 201: MacroView } } }, async (req, reply) =>
    reply.status(201).send(await macros.duplicate(requireActor(req), req.params.id)),
  );
  r.delete('/api/v1/macros/:id', { config: { access: agentWrite }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await macros.remove(requireActor(req), req.params.id);
    return reply.status(204).send();
  });
  r.post(
    '/api/v1/tickets/:ticketId/macros/:id/render',
    {
      config: { access: agent },
      schema: {
        tags,
        params: z.object({ ticketId: z.uuid(), id: z.uuid() }),
        response: { 200: z.object({ body: z.string(), public: z.boolean(), changes: MacroChanges }) },
        description: "The macro's text for this ticket, to fill the composer, and the changes it makes.",
      },
    },
    async (req) => macros.render(requireActor(req), req.params.id, req.params.ticketId),
  );
  r.post(
    '/api/v1/tickets/:ticketId/macros/:id/apply',
    {
      config: { access: agentWrite },
      schema: {
        tags,
        params: z.object({ ticketId: z.uuid(), id: z.uuid() }),
        body: ApplyMacroBody,
        response: { 201: z.object({ messageId: z.uuid().nullable(), ticket: TicketDetail }) },
        description: "Sends a macro: the changes kept (each the macro's own) and the text as edited, in one transaction.",
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const done = await macros.apply(actor, req.params.id, req.params.ticketId, req.body);
      return reply.status(201).send({ messageId: done.messageId, ticket: await queries.detail(actor, done.ticketId) });
    },
  );
}
