import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Actor, requireActor, SESSION_COOKIE } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { Timestamp } from '../../platform/responses.js';
import { RatingBody } from '../csat/csat.service.js';
import type { CsatService } from '../csat/csat.service.js';
import { NewRequestBody, NotFixedBody, PortalSettingsBody, type PortalService, ReplyBody } from './portal.service.js';

const tags = ['portal'];
const read = { level: 'signed_in', scope: 'tickets:read' } as const;
const write = { level: 'signed_in', scope: 'tickets:write' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;
const Params = z.object({ id: z.string().max(64) });

const Survey = z
  .object({
    status: z.enum(['scheduled', 'sent', 'answered', 'cancelled']),
    rating: z.enum(['good', 'bad']).nullable(),
    comment: z.string().nullable(),
    reason: z.string().nullable(),
    expiresAt: Timestamp.nullable(),
    reasons: z.array(z.string()),
  })
  .nullable();
const Request = z.object({
  id: z.uuid(),
  number: z.number().int(),
  subject: z.string(),
  status: z.string(),
  awaitingConfirmation: z.boolean(),
  canConfirm: z.boolean(),
  canReopen: z.boolean(),
  canReply: z.boolean(),
  requester: z.object({ name: z.string() }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: z.number().int(),
  messages: z.array(
    z.object({
      id: z.uuid(),
      fromSupport: z.boolean(),
      author: z.string(),
      html: z.string(),
      createdAt: Timestamp,
      attachments: z.array(z.object({ id: z.uuid(), filename: z.string(), size: z.number().int() })),
    }),
  ),
  survey: Survey,
});
const RequestPage = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      number: z.number().int(),
      subject: z.string(),
      status: z.string(),
      awaitingConfirmation: z.boolean(),
      requester: z.object({ name: z.string() }),
      createdAt: Timestamp,
      updatedAt: Timestamp,
    }),
  ),
  nextCursor: z.string().nullable(),
});
const Home = z.object({
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  organization: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  supervisor: z.boolean(),
  form: z.object({
    types: z.array(z.object({ key: z.string(), label: z.string() })),
    customFields: z.array(z.object({ key: z.string(), label: z.string(), kind: z.string(), options: z.array(z.string()) })),
    attachments: z.boolean(),
  }),
  banners: z.array(z.object({ id: z.string(), title: z.string(), state: z.string(), impact: z.string(), update: z.string().nullable(), link: z.string() })),
  csrfToken: z.string().nullable(),
});

/** The portal is the customers' place: staff have the agent app (and would see staff-only fields there). */
function customer(req: FastifyRequest): Actor {
  const actor = requireActor(req);
  if (actor.role !== 'customer') throw new AppError('FORBIDDEN', 'The portal is for customers; staff use the agent app');
  return actor;
}

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');

export function portalRoutes(app: FastifyInstance, ctx: Ctx, portal: PortalService, csat: CsatService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---- sign-in
  r.post(
    '/api/v1/portal/sign-in-link',
    { config: { access: { level: 'public' } }, schema: { tags, body: z.object({ email: z.email().max(254) }).strict(), response: { 202: z.object({ message: z.string() }) } } },
    async (req, reply) => {
      await portal.requestLink(req.body.email, req.ip);
      return reply.status(202).send({ message: 'If this address has an account, a sign-in link is on its way. It works once, for 15 minutes.' });
    },
  );
  r.post(
    '/api/v1/portal/sign-in/check',
    { config: { access: { level: 'public' } }, schema: { tags, body: z.object({ token: z.string().min(1).max(300) }).strict(), response: { 200: z.object({ email: z.string() }) } } },
    async (req) => portal.checkLink(req.body.token),
  );
  r.post(
    '/api/v1/portal/sign-in',
    {
      config: { access: { level: 'public' } },
      schema: { tags, body: z.object({ token: z.string().min(1).max(300) }).strict(), response: { 200: z.object({ csrfToken: z.string(), user: z.object({ id: z.uuid(), name: z.string(), email: z.string() }) }) } },
    },
    async (req, reply) => {
      const { token, csrfToken, user } = await portal.redeem(req.body.token);
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, path: '/', maxAge: Math.floor(ctx.config.sessionTtlMs / 1000) });
      return { csrfToken, user: { id: user.id, name: user.name, email: user.email } };
    },
  );

  // ---- the customer's requests
  r.get('/api/v1/portal/home', { config: { access: read }, schema: { tags, response: { 200: Home } } }, async (req) => portal.home(customer(req)));
  r.get(
    '/api/v1/portal/tickets',
    { config: { access: read }, schema: { tags, querystring: z.object({ scope: z.enum(['mine', 'organization']).default('mine'), cursor: z.string().max(500).optional() }), response: { 200: RequestPage } } },
    async (req) => portal.list(customer(req), req.query.scope, req.query.cursor),
  );
  r.get('/api/v1/portal/tickets/:id', { config: { access: read }, schema: { tags, params: Params, response: { 200: Request } } }, async (req) => portal.detail(customer(req), req.params.id));
  r.post('/api/v1/portal/tickets', { config: { access: write }, schema: { tags, body: NewRequestBody, response: { 201: Request } } }, async (req, reply) =>
    reply.status(201).send(await portal.create(customer(req), req.body)),
  );
  r.post('/api/v1/portal/tickets/:id/replies', { config: { access: write }, schema: { tags, params: Params, body: ReplyBody, response: { 201: Request } } }, async (req, reply) =>
    reply.status(201).send(await portal.reply(customer(req), req.params.id, req.body)),
  );
  r.post('/api/v1/portal/tickets/:id/confirm', { config: { access: write }, schema: { tags, params: Params, response: { 200: Request } } }, async (req) => portal.confirm(customer(req), req.params.id));
  r.post('/api/v1/portal/tickets/:id/not-fixed', { config: { access: write }, schema: { tags, params: Params, body: NotFixedBody, response: { 200: Request } } }, async (req) =>
    portal.notFixed(customer(req), req.params.id, req.body.comment),
  );
  r.post('/api/v1/portal/tickets/:id/satisfaction', { config: { access: write }, schema: { tags, params: Params, body: RatingBody, response: { 200: Request } } }, async (req) => {
    const actor = customer(req);
    const t = await portal.detail(actor, req.params.id);
    await csat.answerAsRequester(actor, t.id, req.body);
    return portal.detail(actor, t.id);
  });

  // ---- admins
  r.get('/api/v1/portal/settings', { config: { access: admin }, schema: { tags, response: { 200: PortalSettingsBody } } }, async () => portal.getSettings());
  r.put('/api/v1/portal/settings', { config: { access: admin }, schema: { tags, body: PortalSettingsBody, response: { 200: PortalSettingsBody } } }, async (req) => portal.updateSettings(req.body));

  // ---- the page: one HTML file, one script, one stylesheet (no build step, none of the agent app's code)
  const files = {
    html: fs.readFileSync(path.join(PAGE_DIR, 'portal.html'), 'utf8'),
    js: fs.readFileSync(path.join(PAGE_DIR, 'portal.js'), 'utf8'),
    css: fs.readFileSync(path.join(PAGE_DIR, 'portal.css'), 'utf8'),
  };
  const pub = { access: { level: 'public' } } as const;
  const hide = { hide: true };
  const html = async (_req: FastifyRequest, reply: import('fastify').FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(files.html);
  r.get('/portal', { config: pub, schema: hide }, html);
  r.get('/portal/*', { config: pub, schema: hide }, html);
  r.get('/portal-assets/portal.js', { config: pub, schema: hide }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(files.js));
  r.get('/portal-assets/portal.css', { config: pub, schema: hide }, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(files.css));
}
