import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
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
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/sla-policies', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(PolicyView) }) } } }, async () => ({ items: await sla.listPolicies() }));
  r.post('/api/v1/sla-policies', { config: { access: admin }, schema: { tags, body: PolicyBody, response: { 201: PolicyView } } }, async (req, reply) =>
    reply.status(201).send(await sla.createPolicy(req.body)),
  );
  r.get('/api/v1/sla-policies/:id', { config: { access: staff }, schema: { tags, params: IdParams } }, async (req) => sla.getPolicy(req.params.id));
  r.patch('/api/v1/sla-policies/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdatePolicyBody, response: { 200: PolicyView } } }, async (req) =>
    sla.updatePolicy(req.params.id, req.body),
  );
  r.delete('/api/v1/sla-policies/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await sla.removePolicy(req.params.id);
    return reply.status(204).send();
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
