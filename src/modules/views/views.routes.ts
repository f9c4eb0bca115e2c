import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { ConditionSchema } from '../rules/conditions.js';
import { TicketPage } from '../tickets/tickets.responses.js';
import { COUNT_CAP, UpdateViewBody, VIEW_COLUMNS, ViewBody, ViewOrderBody, type ViewsService } from './views.service.js';

const ViewView = z.object({
  id: z.string(),
  name: z.string(),
  system: z.boolean(),
  condition: ConditionSchema,
  columns: z.array(z.enum(VIEW_COLUMNS)),
  sort: z.enum(['created', 'updated', 'priority']),
  order: z.enum(['asc', 'desc']),
  groupId: z.uuid().nullable(),
  ownerId: z.uuid().nullable(),
});
const SavedView = ViewView.extend({ position: z.number().int(), ownerName: z.string() });
const ViewParams = z.object({ id: z.string().max(64) });
const ViewTicketsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
  sort: z.enum(['created', 'updated', 'priority']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

export function viewRoutes(app: FastifyInstance, views: ViewsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['views'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const staffWrite = { level: 'staff', scope: 'tickets:write' } as const;

  r.get('/api/v1/views', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(ViewView) }) } } }, async (req) => ({
    items: (await views.list(requireActor(req))) as z.infer<typeof ViewView>[],
  }));
  r.get(
    '/api/v1/views/counts',
    {
      config: { access: staff },
      schema: {
        tags,
        description: 'Tickets in each view, for the left rail. Counts stop at `cap` + 1: more than `cap` reads as "cap+".',
        response: { 200: z.object({ counts: z.record(z.string(), z.number().int()), cap: z.number().int() }) },
      },
    },
    async (req) => ({ counts: await views.counts(requireActor(req)), cap: COUNT_CAP }),
  );
  r.post(
    '/api/v1/conditions/matches',
    {
      config: { access: staff },
      schema: {
        tags,
        body: z.object({ condition: ConditionSchema }),
        response: { 200: z.object({ count: z.number().int().nullable(), capped: z.boolean(), timedOut: z.boolean(), cap: z.number().int() }) },
        description:
          'How many unsolved tickets you can see match a condition now, for the rule builder. At most `cap` (`capped` when more); `timedOut` (and no count) when counting took too long.',
      },
    },
    async (req) => ({ ...(await views.matches(requireActor(req), req.body.condition)), cap: COUNT_CAP }),
  );
  r.get(
    '/api/v1/views/:id/tickets',
    { config: { access: staff }, schema: { tags, params: ViewParams, querystring: ViewTicketsQuery, response: { 200: TicketPage } } },
    async (req) => views.tickets(requireActor(req), req.params.id, req.query),
  );
  r.get(
    '/api/v1/views/saved',
    {
      config: { access: staff },
      schema: { tags, response: { 200: z.object({ items: z.array(SavedView) }) }, description: 'Saved views you may change, in rail order: all of them for an admin (shared and personal), else your own.' },
    },
    async (req) => ({ items: (await views.listSaved(requireActor(req))) as z.infer<typeof SavedView>[] }),
  );
  r.put(
    '/api/v1/views/order',
    { config: { access: staffWrite }, schema: { tags, body: ViewOrderBody, description: 'Puts saved views in this order in the rail; each must be one you may change.' } },
    async (req, reply) => {
      await views.reorder(requireActor(req), req.body.ids);
      return reply.status(204).send();
    },
  );
  r.post('/api/v1/views', { config: { access: staffWrite }, schema: { tags, body: ViewBody, response: { 201: ViewView } } }, async (req, reply) =>
    reply.status(201).send((await views.create(requireActor(req), req.body)) as z.infer<typeof ViewView>),
  );
  r.patch('/api/v1/views/:id', { config: { access: staffWrite }, schema: { tags, params: ViewParams, body: UpdateViewBody, response: { 200: ViewView } } }, async (req) =>
    (await views.update(requireActor(req), req.params.id, req.body)) as z.infer<typeof ViewView>,
  );
  r.delete('/api/v1/views/:id', { config: { access: staffWrite }, schema: { tags, params: ViewParams } }, async (req, reply) => {
    await views.remove(requireActor(req), req.params.id);
    return reply.status(204).send();
  });
}
