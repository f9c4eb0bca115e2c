import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { AppError } from '../../platform/errors.js';
import { Timestamp } from '../../platform/responses.js';
import { MAINTENANCE_STATUSES, SUBSCRIBER_STATUSES } from './incidents.schema.js';
import { MaintenanceBody, type MaintenanceService, UpdateMaintenanceBody } from './maintenance.service.js';
import type { StatusPage } from './status-page.js';
import { PreferencesForm, SubscribeForm, type SubscribersService } from './subscribers.service.js';

const tags = ['incidents'];
const IdParams = z.object({ id: z.uuid() });
const Token = z.object({ token: z.string().min(1).max(400) });
const read = { level: 'agent', scope: 'tickets:read' } as const;
const write = { level: 'agent', scope: 'tickets:write' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A form body with repeated names kept (`component=a&component=b`): each name one string or a list of them. */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

/**
 * The public subscriber pages (no JavaScript, no sign-in) and the agent app's API for subscribers and maintenance.
 * A confirmation or unsubscribe link opens a page with a button; the POST acts (mail scanners that fetch links do
 * not confirm or unsubscribe anyone). The unsubscribe POST is also RFC 8058's one-click target.
 */
export function subscriberRoutes(app: FastifyInstance, s: { subscribers: SubscribersService; maintenance: MaintenanceService; page: StatusPage }): void {
  const { subscribers, maintenance } = s;
  const html = async (reply: FastifyReply, status: number, title: string, inner: string) => {
    const org = (await s.page.current()).title;
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CSP)
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1f2933}a{color:#1f5fbf}button{font:inherit;padding:.4rem 1rem}</style></head><body><header><p><a href="/status">${esc(org)} status</a></p></header><main>${inner}</main></body></html>`,
      );
  };
  const failed = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof AppError)) throw err;
    return html(reply, err.status, 'Not done', `<h1>That did not work</h1><p id="error" data-code="${err.code}">${esc(err.message)}</p><p><a href="/status">Back to the status page</a></p>`);
  };
  const pub = { access: { level: 'public' } } as const;

  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => done(null, parseForm(String(body))));
    // RFC 8058 one-click posts may come as multipart/form-data: the body says nothing the token does not.
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 8192 }, (_req, _body, done) => done(null, {}));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/status/subscribe', { config: pub, bodyLimit: 8192, schema: { hide: true } }, async (req, reply) => {
      const parsed = SubscribeForm.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = String(issue?.path[0] ?? 'email');
        const message = field === 'email' ? 'That is not an email address.' : field === 'component' ? 'A chosen component is not valid.' : 'The form was not filled in as expected.';
        return html(reply, 422, 'Not subscribed', `<h1>Not subscribed</h1><p id="error" data-code="INVALID_FIELD_VALUE" data-field="${esc(field)}">${message}</p><p><a href="/status#subscribe">Try again</a></p>`);
      }
      try {
        await subscribers.subscribe(parsed.data, req.ip);
      } catch (err) {
        return failed(reply, err);
      }
      // The same answer whether or not the address is known: the form tells nobody who subscribes.
      return html(
        reply,
        202,
        'Check your inbox',
        `<h1 id="done" data-step="check-inbox">Check your inbox</h1><p>If ${esc(parsed.data.email)} can receive status notices, a message with a confirmation link is on its way. Nothing else is sent until the link is used; it works for 48 hours.</p><p><a href="/status">Back to the status page</a></p>`,
      );
    });

    r.get('/status/subscribe/confirm', { config: pub, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      try {
        const sub = await subscribers.checkConfirm(req.query.token);
        return html(reply, 200, 'Confirm your subscription', `<h1>Confirm your subscription</h1><p>Status notices will go to ${esc(sub.email)}.</p><form method="post"><button type="submit">Confirm</button></form>`);
      } catch (err) {
        return failed(reply, err);
      }
    });
    r.post('/status/subscribe/confirm', { config: pub, bodyLimit: 8192, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      try {
        const sub = await subscribers.confirm(req.query.token);
        return html(reply, 200, 'Subscribed', `<h1 id="done" data-step="confirmed">You are subscribed</h1><p>Status notices will go to ${esc(sub.email)}. Every message has a link to unsubscribe.</p><p><a href="/status">Back to the status page</a></p>`);
      } catch (err) {
        return failed(reply, err);
      }
    });

    // Which components a subscriber follows, from the link in every notice (a plain form, no JavaScript).
    r.get('/status/subscription', { config: pub, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      try {
        const p = await subscribers.preferences(req.query.token);
        const active = p.subscriber.status === 'active';
        const all = p.subscriber.allComponents;
        const boxes = p.components
          .map((c) => `<label style="display:block"><input type="checkbox" name="component" value="${c.id}"${!all && p.componentIds.includes(c.id) ? ' checked' : ''}> ${esc(c.groupName ? `${c.groupName} · ${c.name}` : c.name)}</label>`)
          .join('');
        const form = `<form method="post"><fieldset><legend>Send me notices about</legend><label style="display:block"><input type="radio" name="scope" value="all"${all ? ' checked' : ''}> Every component</label><label style="display:block"><input type="radio" name="scope" value="some"${all ? '' : ' checked'}> Only these:</label>${boxes}</fieldset><p><button type="submit">Save</button></p></form>`;
        return html(
          reply,
          200,
          'Your status notices',
          `<h1>Your status notices</h1><p>For ${esc(p.subscriber.email)}.</p>${active ? form : '<p id="error" data-code="INVALID_TRANSITION">This address is not subscribed now; subscribe again on the status page.</p>'}<p><a href="${esc(p.unsubscribeUrl)}">Unsubscribe</a></p>`,
        );
      } catch (err) {
        return failed(reply, err);
      }
    });
    r.post('/status/subscription', { config: pub, bodyLimit: 8192, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      const parsed = PreferencesForm.safeParse(req.body ?? {});
      if (!parsed.success) {
        return html(reply, 422, 'Not saved', `<h1>Not saved</h1><p id="error" data-code="INVALID_FIELD_VALUE" data-field="component">A chosen component is not valid.</p>`);
      }
      try {
        const sub = await subscribers.savePreferences(req.query.token, parsed.data);
        const what = sub.allComponents ? 'every component' : 'the components you chose';
        return html(reply, 200, 'Saved', `<h1 id="done" data-step="saved">Saved</h1><p>Status notices to ${esc(sub.email)} are about ${what}.</p><p><a href="/status/subscription?token=${esc(encodeURIComponent(req.query.token))}">Change again</a> · <a href="/status">Status page</a></p>`);
      } catch (err) {
        return failed(reply, err);
      }
    });

    r.get('/status/unsubscribe', { config: pub, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      try {
        const sub = await subscribers.checkUnsubscribe(req.query.token);
        return html(reply, 200, 'Unsubscribe', `<h1>Unsubscribe</h1><p>Stop status notices to ${esc(sub.email)}?</p><form method="post"><button type="submit">Unsubscribe</button></form>`);
      } catch (err) {
        return failed(reply, err);
      }
    });
    r.post('/status/unsubscribe', { config: pub, bodyLimit: 8192, schema: { hide: true, querystring: Token } }, async (req, reply) => {
      try {
        const sub = await subscribers.unsubscribe(req.query.token);
        return html(reply, 200, 'Unsubscribed', `<h1 id="done" data-step="unsubscribed">Unsubscribed</h1><p>No more status notices go to ${esc(sub.email)}.</p>`);
      } catch (err) {
        return failed(reply, err);
      }
    });
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  const SubscriberView = z.object({
    id: z.uuid(),
    email: z.string(),
    status: z.enum(SUBSCRIBER_STATUSES),
    allComponents: z.boolean(),
    componentIds: z.array(z.string()),
    confirmedAt: Timestamp.nullable(),
    softBounces: z.number(),
    bounceReason: z.string().nullable(),
    createdAt: Timestamp,
  });
  const PerComponent = z.object({ all: z.number(), components: z.array(z.object({ id: z.string(), name: z.string(), subscribers: z.number() })) });
  r.get(
    '/api/v1/status-subscribers',
    {
      config: { access: read },
      schema: {
        tags,
        description: 'Status-page email subscribers: search by address, filter by state or component; with active subscribers per component.',
        querystring: z.object({
          q: z.string().trim().max(200).optional(),
          status: z.enum(SUBSCRIBER_STATUSES).optional(),
          componentId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: { 200: z.object({ items: z.array(SubscriberView), total: z.number(), perComponent: PerComponent }) },
      },
    },
    async (req) => subscribers.list(req.query),
  );
  r.delete('/api/v1/status-subscribers/:id', { config: { access: admin }, schema: { tags, params: IdParams, description: 'Removes a subscriber and their delivery history.' } }, async (req, reply) => {
    await subscribers.remove(req.params.id);
    return reply.status(204).send();
  });

  const MaintenanceView = z.object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    status: z.enum(MAINTENANCE_STATUSES),
    startsAt: Timestamp,
    endsAt: Timestamp,
    notifySubscribers: z.boolean(),
    startedAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    version: z.number(),
    components: z.array(z.object({ id: z.string(), name: z.string() })),
  });
  const one = { 200: MaintenanceView };
  r.get(
    '/api/v1/status-maintenances',
    { config: { access: read }, schema: { tags, querystring: z.object({ status: z.enum(MAINTENANCE_STATUSES).optional() }), response: { 200: z.object({ items: z.array(MaintenanceView) }) } } },
    async (req) => ({ items: await maintenance.list(req.query) }),
  );
  r.post(
    '/api/v1/status-maintenances',
    { config: { access: write }, schema: { tags, body: MaintenanceBody, response: { 201: MaintenanceView }, description: 'Schedules maintenance on components; it shows as upcoming, in progress from startsAt, completed at endsAt.' } },
    async (req, reply) => reply.status(201).send(await maintenance.create(requireActor(req), req.body)),
  );
  r.get('/api/v1/status-maintenances/:id', { config: { access: read }, schema: { tags, params: IdParams, response: one } }, async (req) => maintenance.get(req.params.id));
  r.patch('/api/v1/status-maintenances/:id', { config: { access: write }, schema: { tags, params: IdParams, body: UpdateMaintenanceBody, response: one } }, async (req) =>
    maintenance.update(requireActor(req), req.params.id, req.body),
  );
  r.post('/api/v1/status-maintenances/:id/cancel', { config: { access: write }, schema: { tags, params: IdParams, response: one } }, async (req) => maintenance.cancel(requireActor(req), req.params.id));
}
