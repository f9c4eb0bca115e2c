import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Timestamp } from '../../platform/responses.js';
import type { Connection } from '../channels/channels.service.js';
import { RatingBody } from '../csat/csat.service.js';
import { FeedbackBody } from '../kb/kb.service.js';
import { MAX_FILE_BYTES, MAX_FILES } from './report-parts.js';
import { ReportBody, type Site, SiteBody, UpdateSiteBody, type WidgetService } from './widget.service.js';

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'page');
const admin = { level: 'admin', scope: 'admin' } as const;
const pub = { level: 'public' } as const;
const tags = ['widget'];
const IdParams = z.object({ id: z.uuid() });
const KeyParams = z.object({ siteKey: z.string().max(100) });

const SiteView = z.object({
  id: z.uuid(),
  name: z.string(),
  siteKey: z.string(),
  allowedOrigins: z.array(z.string()),
  enabled: z.boolean(),
  reportsPerMinute: z.number().int(),
  visitorReportsPerMinute: z.number().int(),
  organisationFromToken: z.enum(['off', 'id', 'name']),
  lastReportAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
const SiteWithSecret = SiteView.extend({ identitySecret: z.string() });
const Suggestion = z.object({ id: z.uuid(), slug: z.string(), title: z.string(), snippet: z.string(), url: z.string(), locale: z.string() });

const Identity = z.string().min(1).max(4096);
const OpenSurvey = z.object({ ticketNumber: z.number().int(), subject: z.string(), expiresAt: Timestamp.nullable(), reasons: z.array(z.string()) });
const SurveyAnswer = RatingBody.extend({ identity: Identity, ticketNumber: z.number().int().min(1) }).strict();
const Answered = z.object({ ticketNumber: z.number().int(), rating: z.enum(['good', 'bad']).nullable(), comment: z.string().nullable(), reason: z.string().nullable() });

// base64 is 4/3 of the bytes; the rest of a report is small.
const REPORT_BODY_LIMIT = Math.ceil((MAX_FILES * MAX_FILE_BYTES * 4) / 3) + 128 * 1024;

/**
 * A script served from memory, gzipped once for browsers that take it (the server compresses nothing else itself),
 * revalidated by ETag, so an update reaches every host page within `maxAge`.
 */
function asset(body: string, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, gzip: gzipSync(body, { level: 9 }), etag, type };
}

/**
 * The widget's HTTP surface: admins' site list; the visitor's report and suggestions (public, CORS only for the
 * site's allowed origins, Origin checked on every call); and the two scripts (the loader at /widget.js, the panel
 * loaded on first open).
 */
export function widgetRoutes(app: FastifyInstance, widget: WidgetService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---- admins
  r.get('/api/v1/widget/sites', { config: { access: admin }, schema: { tags, response: { 200: z.object({ items: z.array(SiteView) }) } } }, async () => ({ items: await widget.sites() }));
  r.post(
    '/api/v1/widget/sites',
    { config: { access: admin }, schema: { tags, body: SiteBody, response: { 201: SiteWithSecret }, description: 'A new site with its key; the identity secret is in this answer only.' } },
    async (req, reply) => reply.status(201).send(await widget.createSite(req.body)),
  );
  r.get('/api/v1/widget/sites/:id', { config: { access: admin }, schema: { tags, params: IdParams, response: { 200: SiteView } } }, async (req) => widget.site(req.params.id));
  r.patch('/api/v1/widget/sites/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateSiteBody, response: { 200: SiteView } } }, async (req) =>
    widget.updateSite(req.params.id, req.body),
  );
  r.post(
    '/api/v1/widget/sites/:id/rotate-secret',
    { config: { access: admin }, schema: { tags, params: IdParams, response: { 200: SiteWithSecret }, description: 'A new identity secret (shown in this answer only); tokens signed with the old one stop verifying.' } },
    async (req) => widget.rotateSecret(req.params.id),
  );
  r.delete('/api/v1/widget/sites/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await widget.deleteSite(req.params.id);
    return reply.status(204).send();
  });

  // ---- visitors, from the host page's origin
  const sites = new WeakMap<FastifyRequest, { site: Site; connection: Connection }>();
  /** Runs before the body is read: an unknown or disabled site, or another origin, is refused without reading it. */
  const allowSite = async (req: FastifyRequest, reply: FastifyReply) => {
    const found = await widget.siteFor((req.params as { siteKey: string }).siteKey, req.headers.origin);
    sites.set(req, found);
    // Only an allowed origin is named, so no other page can read an answer (errors included: set before them).
    reply.header('access-control-allow-origin', req.headers.origin as string);
    reply.header('vary', 'Origin');
  };
  const siteOf = (req: FastifyRequest) => sites.get(req) as { site: Site; connection: Connection };
  const preflight = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.status(204).header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').send();

  r.options(
    '/api/v1/widget/:siteKey/reports',
    { config: { access: pub }, onRequest: allowSite, schema: { tags, params: KeyParams, description: 'CORS preflight: answered for the site\'s allowed origins only.' } },
    preflight,
  );
  r.post(
    '/api/v1/widget/:siteKey/reports',
    {
      config: { access: pub },
      onRequest: allowSite,
      bodyLimit: REPORT_BODY_LIMIT,
      schema: {
        tags,
        params: KeyParams,
        body: ReportBody,
        response: { 200: z.object({ duplicate: z.literal(true), ticketNumber: z.number().int() }), 201: z.object({ duplicate: z.literal(false), ticketNumber: z.number().int() }) },
        description: 'A visitor\'s report: a ticket through the intake pipeline (channel widget). The same idempotencyKey again returns the first report\'s ticket (200) and creates nothing.',
      },
    },
    async (req, reply) => {
      const result = await widget.report(siteOf(req), req.body, req.ip);
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  );
  r.options(
    '/api/v1/widget/:siteKey/suggest/feedback',
    { config: { access: pub }, onRequest: allowSite, schema: { tags, params: KeyParams, description: 'CORS preflight: answered for the site\'s allowed origins only.' } },
    preflight,
  );
  r.post(
    '/api/v1/widget/:siteKey/suggest/feedback',
    { config: { access: pub }, onRequest: allowSite, schema: { tags, params: KeyParams, body: FeedbackBody, description: 'solved / not_related / not_answered for a suggested article (the knowledge base\'s deflection counts).' } },
    async (req, reply) => {
      await widget.feedback(req.body, req.ip);
      return reply.status(204).send();
    },
  );
  for (const url of ['/api/v1/widget/:siteKey/surveys', '/api/v1/widget/:siteKey/surveys/answer']) {
    r.options(url, { config: { access: pub }, onRequest: allowSite, schema: { tags, params: KeyParams, description: 'CORS preflight: answered for the site\'s allowed origins only.' } }, preflight);
  }
  // POST, not GET: the identity token stays out of URLs and logs.
  r.post(
    '/api/v1/widget/:siteKey/surveys',
    {
      config: { access: pub },
      onRequest: allowSite,
      schema: { tags, params: KeyParams, body: z.object({ identity: Identity }).strict(), response: { 200: z.object({ items: z.array(OpenSurvey) }) }, description: 'The verified visitor\'s unanswered satisfaction surveys on tickets reported through this site.' },
    },
    async (req) => ({ items: await widget.surveys(siteOf(req), req.body.identity, req.ip) }),
  );
  r.post(
    '/api/v1/widget/:siteKey/surveys/answer',
    {
      config: { access: pub },
      onRequest: allowSite,
      schema: { tags, params: KeyParams, body: SurveyAnswer, response: { 200: Answered }, description: 'Good / bad (then a comment, and a reason after bad) for a survey, by the csat module\'s rules.' },
    },
    async (req) => {
      const { identity, ticketNumber, ...answer } = req.body;
      return widget.answerSurvey(siteOf(req), identity, ticketNumber, answer, req.ip);
    },
  );
  r.get(
    '/api/v1/widget/:siteKey/suggest',
    {
      config: { access: pub },
      onRequest: allowSite,
      schema: { tags, params: KeyParams, querystring: z.object({ q: z.string().max(200), impression: z.uuid().optional(), locale: z.string().max(40).optional() }),
        response: { 200: z.object({ items: z.array(Suggestion), locale: z.string() }) },
        description: "Up to 3 public articles for what the visitor is typing. The panel's form passes its impression id: what it was shown counts toward deflections, and its language (`locale`): an enabled translation language's articles and URLs, topped up with the help centre's own when it has fewer than 3 (each item says its `locale`; the answer's `locale` is the language asked for), the help centre's own otherwise.",
      },
    },
    async (req) => widget.suggest(req.query.q, req.ip, req.query.impression, req.query.locale),
  );

  // ---- the scripts: no build step, no framework; the loader names the panel by its hash, so the panel is cached for good
  const panel = asset(fs.readFileSync(path.join(PAGE_DIR, 'panel.js'), 'utf8'), 'text/javascript; charset=utf-8');
  const loader = asset(fs.readFileSync(path.join(PAGE_DIR, 'widget.js'), 'utf8').replace('__PANEL_VERSION__', panel.etag.slice(1, 13)), 'text/javascript; charset=utf-8');
  const send = (file: ReturnType<typeof asset>, cache: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('etag', file.etag).header('cache-control', cache).header('cross-origin-resource-policy', 'cross-origin').header('vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.type(file.type).header('content-encoding', 'gzip').send(file.gzip);
    return reply.type(file.type).send(file.body);
  };
  r.get('/widget.js', { config: { access: pub }, schema: { hide: true } }, send(loader, 'public, max-age=300'));
  r.get('/widget/panel.js', { config: { access: pub }, schema: { hide: true } }, send(panel, 'public, max-age=31536000, immutable'));
}

/** The loader and the panel as served, for measuring their size (bench, tests). */
export function widgetScripts(): { loader: string; panel: string } {
  return { loader: fs.readFileSync(path.join(PAGE_DIR, 'widget.js'), 'utf8'), panel: fs.readFileSync(path.join(PAGE_DIR, 'panel.js'), 'utf8') };
}
