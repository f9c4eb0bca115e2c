import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { requireActor } from '../../platform/auth.js';
import { AppError } from '../../platform/errors.js';
import { isGroupRestricted } from '../tickets/tickets.queries.js';
import { Timestamp } from '../../platform/responses.js';
import { ASSIGNMENT_MODES } from './assignment.schema.js';
import { AssignmentBody, type AssignmentService, AwayBody, HandoverBody, RotaBody, SwapBody, UNAVAILABLE_REASONS } from './assignment.service.js';

const GroupParams = z.object({ id: z.uuid() });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

// Response schemas (see tickets.responses.ts for what they are for).
const SettingsView = z.object({ groupId: z.uuid(), mode: z.enum(ASSIGNMENT_MODES), timeZone: z.string(), lastUserId: z.uuid().nullable() });
const Candidate = z.object({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  available: z.boolean(),
  inGroup: z.boolean(),
  away: z.boolean(),
  reason: z.enum(UNAVAILABLE_REASONS).nullable(),
  why: z.string().nullable(),
});
const Candidates = z.object({ group: z.object({ id: z.uuid(), name: z.string() }).nullable(), items: z.array(Candidate) });
const Note = z.object({ id: z.uuid(), groupId: z.uuid(), day: z.string(), authorId: z.uuid().nullable(), body: z.string(), createdAt: Timestamp });

/**
 * A group-restricted agent sees only their own groups' rota and hand-over notes (and cannot rewrite another
 * group's rota, which steers that group's assignment): another group answers like one that does not exist.
 */
function ownGroup(req: FastifyRequest, groupId: string): string {
  const actor = requireActor(req);
  if (isGroupRestricted(actor) && !actor.groupIds?.includes(groupId)) throw new AppError('GROUP_NOT_FOUND', `No group ${groupId}`);
  return groupId;
}

export function assignmentRoutes(app: FastifyInstance, assignment: AssignmentService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['assignment'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const staffWrite = { level: 'staff', scope: 'tickets:write' } as const;
  const agent = { level: 'agent', scope: 'tickets:write' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/tickets/:id/assignees', { config: { access: staff }, schema: { tags, params: z.object({ id: z.uuid() }), response: { 200: Candidates } } }, async (req) =>
    assignment.candidates(requireActor(req), req.params.id),
  );
  r.get('/api/v1/groups/:id/assignment', { config: { access: staff }, schema: { tags, params: GroupParams, response: { 200: SettingsView } } }, async (req) => assignment.settings(ownGroup(req, req.params.id)));
  r.put('/api/v1/groups/:id/assignment', { config: { access: admin }, schema: { tags, params: GroupParams, body: AssignmentBody, response: { 200: SettingsView } } }, async (req) =>
    assignment.setSettings(req.params.id, req.body),
  );
  r.get(
    '/api/v1/groups/:id/rota',
    { config: { access: staff }, schema: { tags, params: GroupParams, querystring: z.object({ from: Day, to: Day }), response: { 200: z.object({ items: z.array(z.object({ day: z.string(), userId: z.uuid(), name: z.string() })) }) } } },
    async (req) => ({ items: await assignment.rota(ownGroup(req, req.params.id), req.query.from, req.query.to) }),
  );
  r.put('/api/v1/groups/:id/rota', { config: { access: agent }, schema: { tags, params: GroupParams, body: RotaBody } }, async (req, reply) => {
    await assignment.setRota(requireActor(req), ownGroup(req, req.params.id), req.body.entries);
    return reply.status(204).send();
  });
  r.post('/api/v1/groups/:id/rota/swap', { config: { access: agent }, schema: { tags, params: GroupParams, body: SwapBody } }, async (req, reply) => {
    await assignment.swap(requireActor(req), ownGroup(req, req.params.id), req.body.dayA, req.body.dayB);
    return reply.status(204).send();
  });
  r.get('/api/v1/groups/:id/handover', { config: { access: staff }, schema: { tags, params: GroupParams, response: { 200: z.object({ day: z.string().nullable(), notes: z.array(Note) }) } } }, async (req) => assignment.latestHandover(ownGroup(req, req.params.id)));
  r.post('/api/v1/groups/:id/handover', { config: { access: staffWrite }, schema: { tags, params: GroupParams, body: HandoverBody, response: { 201: Note } } }, async (req, reply) =>
    reply.status(201).send(await assignment.addHandover(requireActor(req), ownGroup(req, req.params.id), req.body.body)),
  );
  r.put('/api/v1/me/away', { config: { access: agent }, schema: { tags, body: AwayBody } }, async (req) => assignment.setAway(requireActor(req), req.body));
}
