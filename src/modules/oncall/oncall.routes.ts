import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { Timestamp } from '../../platform/responses.js';
import type { PeopleService } from '../people/people.service.js';
import { renderCalendar } from './ical.js';
import { PAGE_STATUSES } from './oncall.schema.js';
import type { OncallService } from './oncall.service.js';
import { type LinkAction, PageBody, type PageRow } from './pages.js';
import { PolicyBody, type PolicyRow } from './policies.js';
import { HandoffNoteBody, OverrideBody, ScheduleBody, type ScheduleDetail } from './schedules.js';
import { OncallSettingsBody } from './settings.js';

const IdParams = z.object({ id: z.uuid() });
const Person = z.object({ userId: z.uuid(), name: z.string() }).nullable();
const LayerView = z.object({
  id: z.uuid(),
  name: z.string(),
  rank: z.number().int(),
  memberIds: z.array(z.uuid()),
  turnHours: z.number().int(),
  handoffTime: z.string(),
  handoffWeekday: z.number().int().nullable(),
  startsOn: z.string(),
});
const OverrideView = z.object({ id: z.uuid(), userId: z.uuid(), startsAt: Timestamp, endsAt: Timestamp, note: z.string(), createdById: z.uuid().nullable(), createdAt: Timestamp });
const ShiftView = z.object({ userId: z.uuid(), name: z.string(), start: Timestamp, end: Timestamp, layerId: z.uuid().nullable(), overrideId: z.uuid().nullable() });
// notPaged: people still named in it who are deactivated (or no longer staff): shown as "will not be paged".
const NotPaged = z.array(z.object({ userId: z.uuid(), name: z.string() }));
const ScheduleSummary = z.object({ id: z.uuid(), name: z.string(), description: z.string(), timeZone: z.string(), onCallNow: Person, notPaged: NotPaged });
const ScheduleView = ScheduleSummary.extend({ layers: z.array(LayerView), overrides: z.array(OverrideView), shifts: z.array(ShiftView) });
const FeedLink = z.object({ url: z.string() });
const PolicyView = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  repeat: z.number().int(),
  steps: z.array(z.object({ delayMinutes: z.number().int(), targets: z.array(z.object({ type: z.enum(['user', 'schedule', 'policy']), id: z.uuid() })) })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  notPaged: NotPaged,
});
const PageView = z.object({
  id: z.uuid(),
  number: z.number().int(),
  title: z.string(),
  body: z.string(),
  source: z.string(),
  ticketId: z.uuid().nullable(),
  incidentId: z.uuid().nullable(),
  policyId: z.uuid(),
  status: z.enum(PAGE_STATUSES),
  step: z.number().int(),
  round: z.number().int(),
  exhausted: z.boolean(),
  createdAt: Timestamp,
  escalatedAt: Timestamp.nullable(),
  acknowledgedAt: Timestamp.nullable(),
  acknowledgedById: z.uuid().nullable(),
  resolvedAt: Timestamp.nullable(),
  resolvedById: z.uuid().nullable(),
});
const NotificationView = z.object({ id: z.uuid(), userId: z.uuid(), round: z.number().int(), step: z.number().int(), channel: z.string(), status: z.string(), error: z.string().nullable(), createdAt: Timestamp, sentAt: Timestamp.nullable() });
const SettingsView = z.object({ ticketPriorities: z.array(z.string()), ticketPolicyId: z.uuid().nullable(), incidentPolicyId: z.uuid().nullable(), webhookUrl: z.string().nullable(), webhookSecret: z.string().nullable() });
const NoteView = z.object({ id: z.uuid(), scheduleId: z.uuid(), authorId: z.uuid().nullable(), body: z.string(), createdAt: Timestamp });
const Range = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });
const LinkParams = z.object({ id: z.uuid(), action: z.enum(['acknowledge', 'resolve']) });

function pageView(p: PageRow) {
  const { dedupeKey: _k, createdById: _c, ...rest } = p;
  return rest;
}

export function oncallRoutes(app: FastifyInstance, ctx: Ctx, oncall: OncallService, people: PeopleService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['oncall'];
  const staff = { level: 'staff', scope: 'tickets:read' } as const;
  const staffWrite = { level: 'staff', scope: 'tickets:write' } as const;
  const agent = { level: 'agent', scope: 'tickets:write' } as const;
  const admin = { level: 'admin', scope: 'admin' } as const;
  const { schedules, policies, pages, settings } = oncall;
  const now = () => ctx.clock.now();
  const names = new Map<string, string>();
  const nameOf = async (id: string) => {
    if (!names.has(id)) names.set(id, (await people.getUser(id).catch(() => null))?.name ?? 'unknown');
    return names.get(id) as string;
  };
  const person = async (who: { userId: string } | null) => (who ? { userId: who.userId, name: await nameOf(who.userId) } : null);
  const base = ctx.config.publicUrl;
  const scheduleView = async (s: ScheduleDetail, from?: string, to?: string) => {
    const start = from ? new Date(from) : now();
    const end = to ? new Date(to) : new Date(start.getTime() + 7 * 86_400_000);
    const shifts = await Promise.all(schedules.shifts(s, start, end).map(async (x) => ({ ...x, name: await nameOf(x.userId) })));
    const { feedTokenHash: _h, ...rest } = s;
    return { ...rest, onCallNow: await person(await schedules.onCall(s.id)), notPaged: await notPaged(await schedules.notPaged(s)), shifts };
  };
  const notPaged = (ids: string[]) => Promise.all(ids.map(async (userId) => ({ userId, name: await nameOf(userId) })));
  const policyView = async (p: PolicyRow) => ({ ...p, notPaged: await notPaged(await policies.notPaged(p)) });

  // ---- schedules
  r.get('/api/v1/oncall/schedules', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(ScheduleSummary) }) } } }, async () => ({
    items: await Promise.all(
      (await schedules.list()).map(async (s) => ({
        id: s.id,
        name: s.name,
        description: s.description,
        timeZone: s.timeZone,
        onCallNow: await person(await schedules.onCall(s.id)),
        notPaged: await notPaged(await schedules.notPaged(await schedules.get(s.id))),
      })),
    ),
  }));
  r.get('/api/v1/oncall/schedules/:id', { config: { access: staff }, schema: { tags, params: IdParams, querystring: Range, response: { 200: ScheduleView } } }, async (req) =>
    scheduleView(await schedules.get(req.params.id), req.query.from, req.query.to),
  );
  r.get(
    '/api/v1/oncall/schedules/:id/on-call',
    { config: { access: staff }, schema: { tags, params: IdParams, querystring: z.object({ at: z.iso.datetime({ offset: true }).optional() }), response: { 200: z.object({ at: Timestamp, onCall: Person }) } } },
    async (req) => {
      const at = req.query.at ? new Date(req.query.at) : now();
      return { at, onCall: await person(await schedules.onCall(req.params.id, at)) };
    },
  );
  r.post('/api/v1/oncall/schedules', { config: { access: admin }, schema: { tags, body: ScheduleBody, response: { 201: ScheduleView } } }, async (req, reply) =>
    reply.status(201).send(await scheduleView(await schedules.create(req.body))),
  );
  r.put('/api/v1/oncall/schedules/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: ScheduleBody, response: { 200: ScheduleView } } }, async (req) =>
    scheduleView(await schedules.update(req.params.id, req.body)),
  );
  r.delete('/api/v1/oncall/schedules/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await schedules.remove(req.params.id);
    return reply.status(204).send();
  });
  r.post('/api/v1/oncall/schedules/:id/overrides', { config: { access: agent }, schema: { tags, params: IdParams, body: OverrideBody, response: { 201: OverrideView } } }, async (req, reply) =>
    reply.status(201).send(await schedules.addOverride(requireActor(req), req.params.id, req.body)),
  );
  r.delete('/api/v1/oncall/schedules/:id/overrides/:overrideId', { config: { access: agent }, schema: { tags, params: z.object({ id: z.uuid(), overrideId: z.uuid() }) } }, async (req, reply) => {
    await schedules.removeOverride(req.params.id, req.params.overrideId);
    return reply.status(204).send();
  });
  r.get('/api/v1/oncall/schedules/:id/handoff-notes', { config: { access: staff }, schema: { tags, params: IdParams, response: { 200: z.object({ items: z.array(NoteView) }) } } }, async (req) => {
    await schedules.get(req.params.id);
    return { items: await schedules.handoffNotes(req.params.id) };
  });
  r.post('/api/v1/oncall/schedules/:id/handoff-notes', { config: { access: staffWrite }, schema: { tags, params: IdParams, body: HandoffNoteBody, response: { 201: NoteView } } }, async (req, reply) =>
    reply.status(201).send(await schedules.addHandoffNote(requireActor(req), req.params.id, req.body.body)),
  );
  // Feed links: only their hash is stored, so a link is shown once, when made; making a new one stops the old.
  r.post('/api/v1/oncall/schedules/:id/feed', { config: { access: admin }, schema: { tags, params: IdParams, response: { 201: FeedLink }, description: 'A new link to the schedule\'s iCal feed; the previous link stops working.' } }, async (req, reply) =>
    reply.status(201).send({ url: `${base}/oncall/feed/schedule/${req.params.id}.ics?token=${await schedules.rotateScheduleFeed(req.params.id)}` }),
  );
  r.get('/api/v1/oncall/me/feed', { config: { access: { level: 'staff', sessionOnly: true } }, schema: { tags, response: { 200: z.object({ exists: z.boolean() }) } } }, async (req) => ({
    exists: await schedules.hasPersonFeed(requireActor(req).userId),
  }));
  r.post('/api/v1/oncall/me/feed', { config: { access: { level: 'staff', sessionOnly: true } }, schema: { tags, response: { 201: FeedLink }, description: 'A new link to my iCal feed; the previous link stops working.' } }, async (req, reply) => {
    const me = requireActor(req).userId;
    return reply.status(201).send({ url: `${base}/oncall/feed/person/${me}.ics?token=${await schedules.rotatePersonFeed(me)}` });
  });

  // ---- iCal feeds: no session; the token in the URL is the credential (and names nothing else)
  const feedRange = () => ({ from: new Date(now().getTime() - 7 * 86_400_000), to: new Date(now().getTime() + 60 * 86_400_000) });
  const ics = (reply: FastifyReply, body: string) => reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(body);
  const Token = z.object({ token: z.string().min(1).max(200) });
  r.get('/oncall/feed/schedule/:file', { config: { access: { level: 'public' } }, schema: { tags, params: z.object({ file: z.string().regex(/^[0-9a-f-]{36}\.ics$/) }), querystring: Token } }, async (req, reply) => {
    const s = await schedules.scheduleByFeed(req.params.file.slice(0, 36), req.query.token);
    const { from, to } = feedRange();
    const shifts = await Promise.all(schedules.shifts(s, from, to).map(async (x) => ({ ...x, label: `On call: ${await nameOf(x.userId)}`, uid: `${s.id}-${x.start.getTime()}` })));
    return ics(reply, renderCalendar(`On call: ${s.name}`, shifts, now()));
  });
  r.get('/oncall/feed/person/:file', { config: { access: { level: 'public' } }, schema: { tags, params: z.object({ file: z.string().regex(/^[0-9a-f-]{36}\.ics$/) }), querystring: Token } }, async (req, reply) => {
    const userId = await schedules.personByFeed(req.params.file.slice(0, 36), req.query.token);
    const { from, to } = feedRange();
    const shifts = (await schedules.personShifts(userId, from, to)).map((x) => ({ ...x, label: `On call: ${x.schedule}`, uid: `${userId}-${x.scheduleId}-${x.start.getTime()}` }));
    return ics(reply, renderCalendar(`My on-call shifts (${await nameOf(userId)})`, shifts, now()));
  });

  // ---- escalation policies
  r.get('/api/v1/oncall/policies', { config: { access: staff }, schema: { tags, response: { 200: z.object({ items: z.array(PolicyView) }) } } }, async () => ({ items: await Promise.all((await policies.list()).map(policyView)) }));
  r.post('/api/v1/oncall/policies', { config: { access: admin }, schema: { tags, body: PolicyBody, response: { 201: PolicyView } } }, async (req, reply) => reply.status(201).send(await policyView(await policies.create(req.body))));
  r.put('/api/v1/oncall/policies/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: PolicyBody, response: { 200: PolicyView } } }, async (req) => policyView(await policies.update(req.params.id, req.body)));
  r.delete('/api/v1/oncall/policies/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await policies.remove(req.params.id);
    return reply.status(204).send();
  });

  // ---- settings
  r.get('/api/v1/oncall/settings', { config: { access: admin }, schema: { tags, response: { 200: SettingsView } } }, async () => settings.get());
  r.put('/api/v1/oncall/settings', { config: { access: admin }, schema: { tags, body: OncallSettingsBody, response: { 200: SettingsView } } }, async (req) => settings.set(req.body));

  // ---- pages
  r.get(
    '/api/v1/oncall/pages',
    { config: { access: staff }, schema: { tags, querystring: z.object({ mine: z.enum(['true', 'false']).optional(), status: z.enum(PAGE_STATUSES).optional() }), response: { 200: z.object({ items: z.array(PageView) }) } } },
    async (req) => {
      const actor = requireActor(req);
      return { items: (await pages.list({ actor, userId: req.query.mine === 'true' ? actor.userId : undefined, status: req.query.status })).map(pageView) };
    },
  );
  r.get('/api/v1/oncall/pages/:id', { config: { access: staff }, schema: { tags, params: IdParams, response: { 200: PageView.extend({ notifications: z.array(NotificationView) }) } } }, async (req) => ({
    ...pageView(await pages.getFor(requireActor(req), req.params.id)),
    notifications: await pages.notifications(req.params.id),
  }));
  r.post('/api/v1/oncall/pages', { config: { access: agent }, schema: { tags, body: PageBody, response: { 201: PageView } } }, async (req, reply) => {
    const actor = requireActor(req);
    const page = await ctx.db.transaction((tx) => pages.create(tx, { ...req.body, source: 'manual', createdById: actor.userId }));
    return reply.status(201).send(pageView(page as PageRow));
  });
  for (const action of ['acknowledge', 'resolve'] as const) {
    r.post(`/api/v1/oncall/pages/:id/${action}`, { config: { access: staffWrite }, schema: { tags, params: IdParams, response: { 200: PageView } } }, async (req) => {
      const actor = requireActor(req);
      // Only a page the actor may see can be acted on (its answer names the ticket's subject).
      await pages.getFor(actor, req.params.id);
      return pageView(action === 'acknowledge' ? await pages.acknowledge(req.params.id, actor.userId) : await pages.resolve(req.params.id, actor.userId));
    });
  }

  // ---- acknowledge / resolve links from page mail: no sign-in, no JavaScript. GET only shows a confirmation
  // (mail scanners follow links); the form's POST acts. The token travels in the form body, not the URL.
  const html = (reply: FastifyReply, status: number, title: string, inner: string) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
      .send(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:36rem;margin:2rem auto">${inner}</body></html>`);
  const failed = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof AppError)) throw err;
    return html(reply, err.status, 'Link not usable', `<h1>This link cannot be used</h1><p id="error" data-code="${err.code}">${esc(err.message)}</p><p><a href="${esc(base)}/oncall">Open your pages in Lifeline</a></p>`);
  };
  const verb = (a: LinkAction) => (a === 'acknowledge' ? 'Acknowledge' : 'Resolve');
  r.get('/oncall/link/:id/:action', { config: { access: { level: 'public' } }, schema: { tags, params: LinkParams, querystring: Token } }, async (req, reply) => {
    try {
      const { page } = await pages.checkLink(req.params.id, req.params.action, req.query.token);
      return html(
        reply,
        200,
        `${verb(req.params.action)} page #${page.number}`,
        `<h1>${verb(req.params.action)} page #${page.number}?</h1><p>${esc(page.title)}</p><p>Status: ${page.status}</p><form method="post"><input type="hidden" name="token" value="${esc(req.query.token)}"><button type="submit">${verb(req.params.action)}</button></form>`,
      );
    } catch (err) {
      return failed(reply, err);
    }
  });
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    scope.withTypeProvider<ZodTypeProvider>().post('/oncall/link/:id/:action', { config: { access: { level: 'public' } }, bodyLimit: 4096, schema: { tags, params: LinkParams, body: Token } }, async (req, reply) => {
      try {
        const page = await pages.redeemLink(req.params.id, req.params.action, req.body.token);
        return html(reply, 200, `Page #${page.number} ${page.status}`, `<h1 id="done" data-status="${page.status}">Page #${page.number} is ${page.status}</h1><p>${esc(page.title)}</p>`);
      } catch (err) {
        return failed(reply, err);
      }
    });
  });
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
