import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { crudRoutes } from '../../platform/crud-routes.js';
import { Timestamp } from '../../platform/responses.js';
import { ConditionSchema } from '../rules/conditions.js';
import { SLA_METRICS } from './sla.schema.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { PolicyBody, type SlaService, UpdatePolicyBody } from './sla.service.js';

const IdParams = z.object({ id: z.uuid() });

// A ticket's clock as agents see it (response schema; see tickets.responses.ts for what these are for).
const ClockView = z.object({
  ticketId: z.uuid(),
  metric: z.enum(SLA_METRICS),
  policyId: z.uuid().nullable(),
  status: z.enum(['running', 'paused', 'achieved', 'stopped']),
  targetMinutes: z.number().int(),
  startedAt: Timestamp,
  runningSince: Timestamp.nullable(),
  elapsedMinutes: z.number(),
  dueAt: Timestamp.nullable(),
  warnAt: Timestamp.nullable(),
  achievedAt: Timestamp.nullable(),
  warnedAt: Timestamp.nullable(),
  breachedAt: Timestamp.nullable(),
  remainingMinutes: z.number().int().nullable(),
});

const Minutes = z.number().int();
const PolicyView = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  active: z.boolean(),
  condition: ConditionSchema,
  calendarId: z.uuid(),
  targets: z.record(z.string(), z.object({ first_response: Minutes, next_response: Minutes, periodic_update: Minutes, resolution: Minutes }).partial()),
  pauses: z.record(z.string(), z.array(z.enum(SLA_METRICS))),
  warnPercent: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export function slaRoutes(app: FastifyInstance, sla: SlaService, queries: TicketQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sla'];

  crudRoutes(app, {
    path: '/api/v1/sla-policies',
    tags,
    view: PolicyView,
    body: PolicyBody,
    patch: UpdatePolicyBody,
    service: { list: () => sla.listPolicies(), get: (id) => sla.getPolicy(id), create: (b) => sla.createPolicy(b), update: (id, p) => sla.updatePolicy(id, p), remove: (id) => sla.removePolicy(id) },
  });

  r.get(
    '/api/v1/sla/clocks',
    {
      config: { access: { level: 'staff', scope: 'tickets:read' } },
      schema: {
        tags,
        querystring: z.object({ ticketIds: z.string().max(100 * 37).transform((s) => s.split(',').filter(Boolean)).pipe(z.array(z.uuid()).max(100)) }),
        response: { 200: z.object({ items: z.array(ClockView) }) },
        description: 'The SLA clocks of up to 100 tickets (a page of a ticket list).',
      },
    },
    // Only tickets the caller may see: a group-restricted agent gets no clocks of others' tickets.
    async (req) => ({ items: await sla.clocksOfMany(await queries.visibleIds(requireActor(req), req.query.ticketIds)) }),
  );

  r.get(
    '/api/v1/tickets/:id/sla',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, params: IdParams, response: { 200: z.object({ items: z.array(ClockView) }) }, description: "The ticket's SLA clocks." } },
    async (req) => {
      await queries.getRow(requireActor(req), req.params.id);
      return { items: await sla.clocksOf(req.params.id) };
    },
  );
}
