import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { Timestamp } from '../../platform/responses.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { CsatSettingsBody, type CsatService, RatingBody } from './csat.service.js';

const tags = ['satisfaction'];
const Token = z.string().min(1).max(300);
const Rating = z.enum(['good', 'bad']).nullable();
const SurveyView = z.object({
  id: z.uuid(),
  ticketNumber: z.number().int(),
  subject: z.string(),
  status: z.enum(['scheduled', 'sent', 'answered', 'cancelled']),
  rating: Rating,
  comment: z.string().nullable(),
  reason: z.string().nullable(),
  expiresAt: Timestamp.nullable(),
  reasons: z.array(z.string()),
});
const TicketSurvey = z.object({
  id: z.uuid(),
  status: z.enum(['scheduled', 'sent', 'answered', 'cancelled']),
  sendAt: Timestamp,
  sentAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  rating: Rating,
  comment: z.string().nullable(),
  reason: z.string().nullable(),
  answeredAt: Timestamp.nullable(),
  cancelledReason: z.string().nullable(),
});
const Report = z.object({
  days: z.number().int(),
  sent: z.number().int(),
  answered: z.number().int(),
  good: z.number().int(),
  bad: z.number().int(),
  satisfaction: z.number().nullable(),
  responseRate: z.number().nullable(),
  responses: z.array(
    z.object({ id: z.uuid(), ticketId: z.uuid(), ticketNumber: z.number().int().nullable(), rating: z.enum(['good', 'bad']), comment: z.string().nullable(), reason: z.string().nullable(), answeredAt: Timestamp.nullable() }),
  ),
});

export function csatRoutes(app: FastifyInstance, csat: CsatService, queries: TicketQueries): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const pub = { level: 'public' } as const;

  // The survey links in the mail: no sign-in, the signed token is the proof.
  r.get('/api/v1/csat/survey', { config: { access: pub }, schema: { tags, querystring: z.object({ t: Token }), response: { 200: SurveyView } } }, async (req) => csat.viewByToken(req.query.t));
  r.post('/api/v1/csat/survey', { config: { access: pub }, schema: { tags, body: RatingBody.extend({ token: Token }).strict(), response: { 200: SurveyView } } }, async (req) => {
    const { token, ...answer } = req.body;
    return csat.answerByToken(token, answer);
  });
  r.post('/api/v1/csat/opt-out', { config: { access: pub }, schema: { tags, body: z.object({ token: Token }).strict() } }, async (req, reply) => {
    await csat.optOutByToken(req.body.token);
    return reply.status(204).send();
  });

  // For agents: a ticket's surveys, and the satisfaction report.
  r.get(
    '/api/v1/tickets/:id/satisfaction',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, params: z.object({ id: z.string().max(64) }), response: { 200: z.object({ items: z.array(TicketSurvey) }) } } },
    async (req) => {
      const ticket = await queries.getRow(requireActor(req), req.params.id);
      return { items: await csat.forTicket(ticket.id) };
    },
  );
  r.get(
    '/api/v1/csat/report',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, querystring: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }), response: { 200: Report } } },
    async (req) => csat.report(requireActor(req), req.query.days),
  );
  r.get('/api/v1/csat/settings', { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, response: { 200: CsatSettingsBody } } }, async () => csat.getSettings());
  r.put('/api/v1/csat/settings', { config: { access: { level: 'admin', scope: 'admin' } }, schema: { tags, body: CsatSettingsBody, response: { 200: CsatSettingsBody } } }, async (req) =>
    csat.updateSettings(req.body),
  );
}
