import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import type { LiveSignals } from '../../platform/live.js';
import type { PeopleService } from '../people/people.service.js';
import { AppError } from '../../platform/errors.js';
import { WindowLimiter } from '../../platform/rate-limit.js';
import { ComponentBody, type ComponentsService, UpdateComponentBody } from './components.service.js';
import type { IncidentQueries } from './incidents.queries.js';
import { ActionItemPatch, CompleteRetroBody, DeclareBody, EntryBody, RetroBody, type IncidentsService, RoleBody, SettingsBody, SolveLinkedBody, StateBody, StatusUpdateBody, UPDATE_TEMPLATES, UpdateIncidentBody } from './incidents.service.js';
import { ComponentView, IncidentDetail, IncidentView, Linked, ListedIncident, MyActionItem, PostedUpdate, Queued, RetroView, RoleView, SettingsAnswer, SettingsView, SuggestedTicket, TicketIncident, TimelineEntryView } from './incidents.schemas.js';
import { LOGO_MAX_BYTES, type StatusLogo } from './status-logo.js';
import type { StatusPage } from './status-page.js';

const IdParams = z.object({ id: z.uuid() });
const read = { level: 'staff', scope: 'tickets:read' } as const;
const write = { level: 'agent', scope: 'tickets:write' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;
const tags = ['incidents'];

export function incidentRoutes(app: FastifyInstance, ctx: Ctx, s: { incidents: IncidentsService; queries: IncidentQueries; components: ComponentsService; people: PeopleService }, signals: LiveSignals): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { incidents, queries, components } = s;

  // ---- live: `incidents` on the app's one stream (GET /api/v1/stream, staff only; no data to speak of: "re-read the
  // active list") whenever an incident, a component or a maintenance changes in any process — the status page's
  // invalidation, which every change already sends through NOTIFY. The app's P0/P1 banner listens, so a resolved
  // incident leaves every open tab at once.
  const stopChanges = ctx.cache.onInvalidate('status-page', () => signals.emit('incidents'));
  app.addHook('preClose', async () => {
    stopChanges();
  });

  r.get('/api/v1/incidents', { config: { access: read }, schema: { tags, querystring: z.object({ active: z.enum(['true', 'false']).optional() }), response: { 200: z.object({ items: z.array(ListedIncident) }) } } }, async (req) => ({
    items: await queries.list({ active: req.query.active === undefined ? undefined : req.query.active === 'true' }),
  }));
  r.post('/api/v1/incidents', { config: { access: write }, schema: { tags, body: DeclareBody, response: { 201: IncidentView }, description: 'Declares an incident, on its own or from a ticket (originTicketId), which it links.' } }, async (req, reply) =>
    reply.status(201).send(await incidents.declare(requireActor(req), req.body)),
  );
  // By id or by number (links in pages and mail say /incidents/<number>).
  r.get('/api/v1/incidents/:id', { config: { access: read }, schema: { tags, params: z.object({ id: z.union([z.uuid(), z.string().regex(/^\d{1,9}$/)]) }), response: { 200: IncidentDetail } } }, async (req) =>
    queries.detail(requireActor(req), req.params.id),
  );
  r.patch('/api/v1/incidents/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateIncidentBody, response: { 200: IncidentView } } }, async (req) => incidents.update(requireActor(req), req.params.id, req.body));
  r.post('/api/v1/incidents/:id/state', { config: { access: write }, schema: { tags, params: IdParams, body: StateBody, response: { 200: IncidentView } } }, async (req) => incidents.changeState(requireActor(req), req.params.id, req.body));
  r.post(
    '/api/v1/incidents/:id/updates',
    { config: { access: write }, schema: { tags, params: IdParams, body: StatusUpdateBody, response: { 201: PostedUpdate }, description: 'A status update: public text, the state it sets, an ETA; optionally one public reply per linked ticket (jobs).' } },
    async (req, reply) => reply.status(201).send(await incidents.postUpdate(requireActor(req), req.params.id, req.body)),
  );
  r.post('/api/v1/incidents/:id/timeline', { config: { access: write }, schema: { tags, params: IdParams, body: EntryBody, response: { 201: TimelineEntryView } } }, async (req, reply) =>
    reply.status(201).send(await incidents.addEntry(requireActor(req), req.params.id, req.body)),
  );
  r.patch(
    '/api/v1/incidents/:id/timeline/:entryId',
    { config: { access: write }, schema: { tags, params: z.object({ id: z.uuid(), entryId: z.coerce.number().int().positive() }), body: z.object({ pinned: z.boolean() }), response: { 200: TimelineEntryView } } },
    async (req) => incidents.pin(requireActor(req), req.params.id, req.params.entryId, req.body.pinned),
  );
  r.put(
    '/api/v1/incidents/:id/roles/:key',
    { config: { access: write }, schema: { tags, params: z.object({ id: z.uuid(), key: z.string().max(64) }), body: z.object({ userId: z.uuid().nullable() }) } },
    async (req, reply) => {
      await incidents.assignRole(requireActor(req), req.params.id, req.params.key, req.body.userId);
      return reply.status(204).send();
    },
  );
  r.post('/api/v1/incidents/:id/tickets', { config: { access: write }, schema: { tags, params: IdParams, body: z.object({ ticketIds: z.array(z.uuid()).min(1).max(1000) }), response: { 200: Linked } } }, async (req) =>
    incidents.linkTickets(requireActor(req), req.params.id, req.body.ticketIds),
  );
  r.get(
    '/api/v1/incidents/:id/suggested-tickets',
    {
      config: { access: read },
      schema: { tags, params: IdParams, response: { 200: z.object({ items: z.array(SuggestedTicket) }) }, description: 'Unsolved tickets created since the incident began whose text matches its titles or components, not linked yet.' },
    },
    async (req) => ({ items: await queries.suggestedTickets(requireActor(req), req.params.id) }),
  );
  r.delete('/api/v1/incidents/:id/tickets/:ticketId', { config: { access: write }, schema: { tags, params: z.object({ id: z.uuid(), ticketId: z.uuid() }) } }, async (req, reply) => {
    await incidents.unlinkTicket(requireActor(req), req.params.id, req.params.ticketId);
    return reply.status(204).send();
  });
  r.post('/api/v1/incidents/:id/solve-tickets', { config: { access: write }, schema: { tags, params: IdParams, body: SolveLinkedBody, response: { 202: Queued } } }, async (req, reply) =>
    reply.status(202).send(await incidents.solveLinkedTickets(requireActor(req), req.params.id, req.body)),
  );
  r.put('/api/v1/incidents/:id/retro', { config: { access: write }, schema: { tags, params: IdParams, body: RetroBody, response: { 200: RetroView }, description: 'The retro document: summary, root cause, five whys, what went well and badly, action items.' } }, async (req) =>
    incidents.saveRetro(requireActor(req), req.params.id, req.body),
  );
  r.post('/api/v1/incidents/:id/retro/complete', { config: { access: write }, schema: { tags, params: IdParams, body: CompleteRetroBody, response: { 200: RetroView }, description: 'Marks the retro done, or skipped with a reason; closing needs one.' } }, async (req) =>
    incidents.completeRetro(requireActor(req), req.params.id, req.body),
  );
  r.patch(
    '/api/v1/incidents/:id/retro/action-items/:itemId',
    {
      config: { access: write },
      schema: { tags, params: z.object({ id: z.uuid(), itemId: z.uuid() }), body: ActionItemPatch, response: { 200: RetroView }, description: 'One action item: done, due date, owner — also after the retro is done and the incident closed.' },
    },
    async (req) => incidents.updateActionItem(requireActor(req), req.params.id, req.params.itemId, req.body),
  );
  r.get(
    '/api/v1/me/action-items',
    { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(MyActionItem) }) }, description: "The caller's retro action items past their due date, once reminded." } },
    async (req) => ({ items: await queries.myOverdueActionItems(requireActor(req).userId) }),
  );
  r.get('/api/v1/incidents/:id/markdown', { config: { access: read }, schema: { tags, params: IdParams } }, async (req, reply) =>
    reply.type('text/markdown; charset=utf-8').send(await queries.markdown(requireActor(req), req.params.id)),
  );

  // From the ticket's side.
  r.get('/api/v1/tickets/:id/incidents', { config: { access: read }, schema: { tags, params: IdParams, response: { 200: z.object({ items: z.array(TicketIncident) }) } } }, async (req) => ({ items: await queries.forTicket(requireActor(req), req.params.id) }));
  r.post('/api/v1/tickets/:id/incidents', { config: { access: write }, schema: { tags, params: IdParams, body: z.object({ incidentId: z.uuid() }), response: { 200: Linked } } }, async (req) =>
    incidents.linkTickets(requireActor(req), req.body.incidentId, [req.params.id]),
  );
  r.delete('/api/v1/tickets/:id/incidents/:incidentId', { config: { access: write }, schema: { tags, params: z.object({ id: z.uuid(), incidentId: z.uuid() }) } }, async (req, reply) => {
    await incidents.unlinkTicket(requireActor(req), req.params.incidentId, req.params.id);
    return reply.status(204).send();
  });

  // Settings: severities (the active priority scheme's top levels), cadences, roles, components.
  r.get('/api/v1/incident-settings', { config: { access: read }, schema: { tags, response: { 200: SettingsAnswer } } }, async () => {
    const settings = await incidents.settings();
    return { settings, severities: await incidents.severities(), roles: await incidents.roles(), templates: { ...UPDATE_TEMPLATES, ...settings.updateTemplates } };
  });
  r.put('/api/v1/incident-settings', { config: { access: admin }, schema: { tags, body: SettingsBody, response: { 200: SettingsView } } }, async (req) => incidents.updateSettings(req.body));
  r.put('/api/v1/incident-roles', { config: { access: admin }, schema: { tags, body: z.object({ roles: z.array(RoleBody).min(1).max(20) }), response: { 200: z.object({ items: z.array(RoleView) }) } } }, async (req) => ({
    items: await incidents.replaceRoles(req.body.roles),
  }));
  r.get('/api/v1/status-components', { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(ComponentView) }) } } }, async () => ({ items: await components.list() }));
  r.post('/api/v1/status-components', { config: { access: admin }, schema: { tags, body: ComponentBody, response: { 201: ComponentView } } }, async (req, reply) => reply.status(201).send(await components.create(req.body)));
  r.patch('/api/v1/status-components/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateComponentBody, response: { 200: ComponentView } } }, async (req) => components.update(req.params.id, req.body));
  r.delete('/api/v1/status-components/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await components.remove(req.params.id);
    return reply.status(204).send();
  });
}

/** What the public pages may load: their own inline styles, nothing else; no scripts at all. */
const STATUS_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** How many clients the status page's limiter counts at once; past it, new clients are served uncounted (memory stays bounded). */
const STATUS_MAX_CLIENTS = 100_000;

/**
 * The public status page: no sign-in, no JavaScript, served from the rendering in memory (rendered once per change,
 * at most once a minute otherwise), so no number of readers reaches the database. Each client (IPv6 by /64) may make
 * `STATUS_RATE_LIMIT_PER_MINUTE` requests a minute; past that, 429 with Retry-After.
 */
export function statusRoutes(app: FastifyInstance, page: StatusPage, limits: { perMinute: number; now: () => number }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const limiter = new WindowLimiter({ limit: limits.perMinute, windowMs: 60_000, maxClients: STATUS_MAX_CLIENTS, now: limits.now });
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
    const { result, retryAfterS } = limiter.hit(req.ip);
    if (result !== 'limited') return;
    reply.header('retry-after', String(retryAfterS)).header('cache-control', 'no-store');
    throw new AppError('TOO_MANY_ATTEMPTS', `Too many requests for the status page from this address; try again in ${retryAfterS} s`);
  };
  const pub = { access: { level: 'public' } } as const;
  const hide = { hide: true };
  const send = (reply: FastifyReply, type: string, body: string) =>
    reply.type(type).header('cache-control', 'public, max-age=10').header('content-security-policy', STATUS_CSP).send(body);
  r.get('/status', { config: pub, schema: hide, onRequest }, async (_req, reply) => send(reply, 'text/html; charset=utf-8', (await page.current()).html));
  r.get('/status/summary.json', { config: pub, schema: hide, onRequest }, async (_req, reply) => send(reply, 'application/json; charset=utf-8', (await page.current()).summary));
  r.get('/status/incidents.json', { config: pub, schema: hide, onRequest }, async (_req, reply) => send(reply, 'application/json; charset=utf-8', (await page.current()).incidents));
  r.get('/status/feed.atom', { config: pub, schema: hide, onRequest }, async (_req, reply) => send(reply, 'application/atom+xml; charset=utf-8', (await page.current()).atom));
  // The logo, from the rendering in memory like the page; its URL carries the version, so it may be kept a day.
  r.get('/status/logo', { config: pub, schema: hide, onRequest }, async (_req, reply) => {
    const image = (await page.current()).logo;
    if (!image) return reply.status(404).header('cache-control', 'no-store').send();
    return reply.type(image.contentType).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'").send(image.data);
  });
  r.get('/status/incidents/:id', { config: pub, onRequest, schema: { ...hide, params: z.object({ id: z.string().max(64) }) } }, async (req, reply) => {
    const html = (await page.current()).pages.get(req.params.id);
    if (!html) return reply.status(404).type('text/html; charset=utf-8').header('content-security-policy', STATUS_CSP).send('<!doctype html><meta charset="utf-8"><title>Not found</title><p>No such incident. <a href="/status">Status page</a></p>');
    return send(reply, 'text/html; charset=utf-8', html);
  });
}

/** Admin: the status page's logo, sent as the image's raw bytes (PUT) or removed (DELETE). */
export function logoRoutes(app: FastifyInstance, logo: StatusLogo): void {
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // One byte over the limit is enough to refuse it with the logo's own message (not the generic body limit).
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES + 1 }, (_req, body, done) => done(null, body));
    const s = scope.withTypeProvider<ZodTypeProvider>();
    s.put(
      '/api/v1/status-page/logo',
      {
        config: { access: admin },
        bodyLimit: LOGO_MAX_BYTES + 1,
        schema: { tags, response: { 200: z.object({ contentType: z.string(), size: z.number().int(), sha256: z.string() }) }, description: 'The status page logo: a PNG, JPEG, GIF or WebP image of up to 256 KB, as the raw body.' },
      },
      async (req) => logo.set(req.headers['content-type'], req.body as Buffer | undefined),
    );
  });
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.delete('/api/v1/status-page/logo', { config: { access: admin }, schema: { tags } }, async (_req, reply) => {
    await logo.remove();
    return reply.status(204).send();
  });
}
