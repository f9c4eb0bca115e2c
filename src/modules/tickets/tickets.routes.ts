import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Actor, credentialsOf, isStaff, requireActor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { type LiveHub, type LiveSignals, type LiveStream, LiveStreams } from '../../platform/live.js';
import { parseTicketQuery, type TicketFilter } from './search-query.js';
import { AddLinkBody, AddMessageBody, BulkBody, CreateTicketBody, EscalateBody, ListTicketsQuery, MergeBody, TicketParams, UpdateTicketBody } from './tickets.schemas.js';
import type { PeopleService } from '../people/people.service.js';
import type { Presence } from './presence.js';
import { mayActorSee, type TicketQueries, type TicketVisibilityFacts } from './tickets.queries.js';
import { customerDetail, customerView } from './customer-view.js';
import { AddMessageResult, AttachmentView, BulkResult, CustomerTicketDetail, CustomerTicketView, EventView, PresenceView, MessageView, TicketDetail, TicketLink, TicketPage } from './tickets.responses.js';
import type { TicketsService } from './tickets.service.js';

const read = { level: 'signed_in', scope: 'tickets:read' } as const;
const write = { level: 'signed_in', scope: 'tickets:write' } as const;
const agentWrite = { level: 'agent', scope: 'tickets:write' } as const;

/**
 * A command's refusal as this API says it: services name domain fields (`assigneeId`, `customFields.x`), and the
 * HTTP layer says they were in the request body.
 */
async function fromBody<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (err) {
    if (!(err instanceof AppError) || !err.fields.length) throw err;
    const fields = err.fields.map((f) => ({ ...f, path: f.path.startsWith('body.') ? f.path : `body.${f.path}` }));
    const moved = new AppError(err.code, err.message, { fields, extra: err.extra });
    moved.stack = err.stack;
    throw moved;
  }
}

// A customer gets the requester-facing shape (customer-view.ts); staff the full one. Staff shape first: a union
// answers with the first member the value fits, and the customer shape is strict.
const TicketDetailForAnyone = z.union([TicketDetail, CustomerTicketDetail]);
const TicketPageForAnyone = TicketPage.extend({ items: z.array(z.union([TicketPage.shape.items.element, CustomerTicketView])) });

function asSeenBy(actor: Actor, detail: Awaited<ReturnType<TicketQueries['detail']>>) {
  return actor.role === 'customer' ? customerDetail(detail) : detail;
}

export type EventsNotice = { ticketId: string; ids: number[] };

export function ticketRoutes(app: FastifyInstance, ctx: Ctx, tickets: TicketsService, queries: TicketQueries, { live, signals }: { live: LiveHub<EventsNotice>; signals: LiveSignals }, presence: Presence, people: PeopleService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tickets'];

  /** `:id` is the opaque id, or the ticket number people say out loud ("#1042"). */
  const resolveId = async (req: { params: { id: string } }, actor: ReturnType<typeof requireActor>) => {
    const raw = req.params.id.replace(/^#/, '');
    if (/^\d{1,15}$/.test(raw)) return (await queries.getByNumber(actor, Number(raw))).id;
    return raw;
  };

  const sendTicket = async (reply: FastifyReply, actor: ReturnType<typeof requireActor>, id: string, changedByActor = false) => {
    // A group-restricted agent who just handed a ticket to another group gets it back as it now is, though it
    // has left their view (every later read is 404).
    const detail = changedByActor ? await queries.detailAfterChange(actor, id) : await queries.detail(actor, id);
    return reply.header('etag', `"${detail.version}"`).send(asSeenBy(actor, detail));
  };

  r.post('/api/v1/tickets', { config: { access: write }, schema: { tags, body: CreateTicketBody, response: { 201: TicketDetailForAnyone } } }, async (req, reply) => {
    const actor = requireActor(req);
    const { detail } = await fromBody(tickets.create(actor, req.body));
    return reply.status(201).header('etag', `"${detail.version}"`).send(asSeenBy(actor, detail));
  });

  const list = async (actor: ReturnType<typeof requireActor>, q: z.infer<typeof ListTicketsQuery>) => {
    const filter: TicketFilter = q.q ? parseTicketQuery(q.q) : {};
    const csv = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
    filter.status = csv(q.status) ?? filter.status;
    filter.priority = csv(q.priority) ?? filter.priority;
    filter.tag = csv(q.tag) ?? filter.tag;
    filter.type = csv(q.type) ?? filter.type;
    filter.channel = csv(q.channel) ?? filter.channel;
    filter.assignee = q.assignee ?? filter.assignee;
    filter.group = q.group ?? filter.group;
    filter.org = q.org ?? filter.org;
    filter.requester = q.requester ?? filter.requester;
    const page = await queries.list(actor, filter, { sort: q.sort, order: q.order, limit: q.limit, cursor: q.cursor });
    return actor.role === 'customer' ? { ...page, items: page.items.map(customerView) } : page;
  };

  r.get('/api/v1/tickets', { config: { access: read }, schema: { tags, querystring: ListTicketsQuery, response: { 200: TicketPageForAnyone } } }, async (req) => list(requireActor(req), req.query));
  r.get(
    '/api/v1/search',
    { config: { access: read }, schema: { tags, querystring: ListTicketsQuery.extend({ q: z.string().trim().min(1, 'give a query').max(1000) }), response: { 200: TicketPageForAnyone } } },
    async (req) => list(requireActor(req), req.query),
  );

  r.get(
    '/api/v1/tags',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, querystring: z.object({ prefix: z.string().trim().max(100).default('') }), response: { 200: z.object({ items: z.array(z.string()) }) } } },
    async (req) => ({ items: await queries.recentTags(requireActor(req), req.query.prefix) }),
  );

  r.get('/api/v1/tickets/:id', { config: { access: read }, schema: { tags, params: TicketParams, response: { 200: TicketDetailForAnyone } } }, async (req, reply) => {
    const actor = requireActor(req);
    return sendTicket(reply, actor, await resolveId(req, actor));
  });

  r.patch('/api/v1/tickets/:id', { config: { access: agentWrite }, schema: { tags, params: TicketParams, body: UpdateTicketBody, response: { 200: TicketDetail } } }, async (req, reply) => {
    const actor = requireActor(req);
    const id = await resolveId(req, actor);
    const { version, ...changes } = req.body;
    const ticket = await fromBody(tickets.update(actor, id, changes, { expectedVersion: versionFromIfMatch(req.headers['if-match']) ?? version }));
    return sendTicket(reply, actor, ticket.id, true);
  });

  r.post('/api/v1/tickets/:id/messages', { config: { access: write }, schema: { tags, params: TicketParams, body: AddMessageBody, response: { 201: AddMessageResult.extend({ ticket: TicketDetailForAnyone }) } } }, async (req, reply) => {
    const actor = requireActor(req);
    const id = await resolveId(req, actor);
    const { version, ...message } = req.body;
    const result = await fromBody(tickets.addMessage(actor, id, message, { expectedVersion: version ?? versionFromIfMatch(req.headers['if-match']) }));
    return reply.status(201).send({ messageId: result.messageId, followUp: result.followUp, ticket: asSeenBy(actor, await queries.detail(actor, result.ticket.id)) });
  });

  r.get('/api/v1/tickets/:id/messages', { config: { access: read }, schema: { tags, params: TicketParams, response: { 200: z.object({ items: z.array(MessageView) }) } } }, async (req) => {
    const actor = requireActor(req);
    return { items: await queries.messages(actor, await resolveId(req, actor)) };
  });

  r.get(
    '/api/v1/tickets/:id/events',
    { config: { access: read }, schema: { tags, params: TicketParams, querystring: z.object({ after: z.coerce.number().int().min(0).default(0) }), response: { 200: z.object({ items: z.array(EventView) }) } } },
    async (req) => {
      const actor = requireActor(req);
      return { items: await queries.events(actor, await resolveId(req, actor), req.query.after) };
    },
  );

  r.post('/api/v1/tickets/:id/merge', { config: { access: agentWrite }, schema: { tags, params: TicketParams, body: MergeBody, response: { 200: TicketDetail } } }, async (req, reply) => {
    const actor = requireActor(req);
    const target = await fromBody(tickets.merge(actor, await resolveId(req, actor), req.body.targetId));
    return sendTicket(reply, actor, target.id);
  });

  r.post('/api/v1/tickets/:id/links', { config: { access: agentWrite }, schema: { tags, params: TicketParams, body: AddLinkBody, response: { 201: TicketLink.omit({ targetNumber: true }) } } }, async (req, reply) => {
    const actor = requireActor(req);
    return reply.status(201).send(await fromBody(tickets.addLink(actor, await resolveId(req, actor), req.body)));
  });

  r.delete(
    '/api/v1/tickets/:id/links/:linkId',
    { config: { access: agentWrite }, schema: { tags, params: TicketParams.extend({ linkId: z.uuid() }) } },
    async (req, reply) => {
      const actor = requireActor(req);
      await tickets.removeLink(actor, await resolveId(req, actor), req.params.linkId);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/tickets/:id/escalate',
    { config: { access: agentWrite }, schema: { tags, params: TicketParams, body: EscalateBody, response: { 200: TicketDetail }, description: 'Move the ticket up a tier with the structured escalation form.' } },
    async (req, reply) => {
      const actor = requireActor(req);
      const id = await resolveId(req, actor);
      const { version, ...form } = req.body;
      await fromBody(tickets.escalate(actor, id, form, { expectedVersion: version }));
      return sendTicket(reply, actor, id, true);
    },
  );

  r.post(
    '/api/v1/tickets/bulk',
    {
      config: { access: agentWrite },
      schema: { tags, body: BulkBody, response: { 200: BulkResult }, description: 'The same change, or a merge, on many tickets; each ticket is its own change and reports its own result.' },
    },
    async (req) => ({ items: await fromBody(tickets.bulk(requireActor(req), req.body)) }),
  );

  r.post(
    '/api/v1/messages/preview',
    {
      config: { access: read },
      schema: { tags, body: AddMessageBody.pick({ body: true, format: true }), response: { 200: z.object({ html: z.string() }) }, description: 'A message body rendered as the conversation will show it.' },
    },
    async (req) => ({ html: tickets.preview(req.body.body, req.body.format) }),
  );

  // ---- collision detection: who else is on a ticket, and who is typing
  const staffRead = { level: 'staff', scope: 'tickets:read' } as const;
  r.post(
    '/api/v1/tickets/:id/presence',
    { config: { access: staffRead }, schema: { tags, params: TicketParams, body: z.object({ typing: z.boolean().default(false), leaving: z.boolean().default(false) }), response: { 200: PresenceView } } },
    async (req) => {
      const actor = requireActor(req);
      const id = await resolveId(req, actor);
      await queries.getRow(actor, id);
      await presence.beat(actor, id, req.body);
      return { items: presence.here(id) };
    },
  );
  r.get('/api/v1/tickets/:id/presence', { config: { access: staffRead }, schema: { tags, params: TicketParams, response: { 200: PresenceView } } }, async (req) => {
    const actor = requireActor(req);
    const id = await resolveId(req, actor);
    await queries.getRow(actor, id);
    return { items: presence.here(id) };
  });

  // ---- attachments: raw bytes in, so browsers and scripts send a file as-is (no multipart decoding).
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.maxAttachmentBytes }, (_req, body, done) => done(null, body));
    const s = scope.withTypeProvider<ZodTypeProvider>();
    s.post(
      '/api/v1/attachments',
      {
        config: { access: write },
        bodyLimit: ctx.config.maxAttachmentBytes,
        schema: { tags, querystring: z.object({ filename: z.string().trim().min(1).max(255) }), response: { 201: AttachmentView } },
      },
      async (req, reply) => {
        const data = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(data) || data.length === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty; send its bytes as the request body');
        const row = await tickets.upload(requireActor(req), { filename: req.query.filename, contentType: req.headers['content-type'] ?? 'application/octet-stream', data });
        return reply.status(201).send({ id: row.id, filename: row.filename, contentType: row.contentType, size: row.size, sha256: row.sha256 });
      },
    );
  });

  r.get('/api/v1/attachments/:id', { config: { access: read }, schema: { tags, params: z.object({ id: z.string().max(64) }) } }, async (req, reply) => {
    const a = await queries.attachment(requireActor(req), req.params.id);
    const inline = INLINE_SAFE.has(a.contentType);
    return reply
      .header('content-type', inline ? a.contentType : 'application/octet-stream')
      .header('content-length', a.size)
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${a.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      // Never sniffed as HTML, never able to run script even if opened directly.
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, max-age=3600')
      .send(ctx.files.read(a.sha256));
  });

  // ---- live updates (server-sent events)
  // One query per ticket event for all of this process's streams (the events and their tickets' visibility facts),
  // then each stream decides in memory with its caller as of now: a sign-out, deactivation, role or organisation
  // change (the `actors` cache invalidation, from any process) re-checks every stream before it gets more.
  const streams = new LiveStreams((c) => people.resolveActor(c), {
    perUser: ctx.config.streams.maxPerUser,
    perProcess: ctx.config.streams.maxPerProcess,
    recheckMs: ctx.config.streams.recheckMs,
  });
  const stopWatching = ctx.cache.onInvalidate('actors', () => void streams.recheckAll());
  let fanOut: Promise<void> = Promise.resolve();
  const unsubscribe = live.subscribe((notice) => {
    if (!streams.size) return;
    fanOut = fanOut.then(async () => {
      const loaded = await queries.eventsWithFacts(notice.ids).catch(() => []);
      if (!loaded.length) return;
      const events = loaded.map((e) => ({ ...e, json: JSON.stringify(e.event) }));
      streams.forEach((s) => {
        s.enqueue((actor) => sendVisible(s, actor, events));
      });
    });
  });
  const sendVisible = (s: LiveStream, actor: Actor, events: { event: { id: number; public: boolean }; facts: TicketVisibilityFacts; json: string }[]) => {
    for (const { event, facts, json } of events) {
      if ((event.public || isStaff(actor)) && mayActorSee(actor, facts)) s.event(event.id, 'ticket', json);
    }
  };
  // Other modules' signals ("re-read the active incidents"): staff only, decided with the caller as of delivery (a
  // token demoted to customer stops getting them at once), in the stream's one queue behind any re-check.
  const stopSignals = signals.subscribe((name) => {
    if (!streams.size) return;
    const json = JSON.stringify({ at: new Date().toISOString() });
    streams.forEach((s) => {
      s.enqueue((actor) => isStaff(actor) && s.signal(name, json));
    });
  });
  // Streams never end by themselves: end them when the server stops, so it does not wait for their clients.
  app.addHook('preClose', async () => {
    stopWatching();
    unsubscribe();
    stopSignals();
    streams.closeAll('SERVER_STOPPING');
  });

  r.get(
    '/api/v1/stream',
    { config: { access: read }, schema: { tags, querystring: z.object({ after: z.coerce.number().int().min(0).optional() }) } },
    async (req, reply) => {
      const actor = requireActor(req);
      // A reconnecting EventSource sends Last-Event-ID; it gets what it missed (up to 1,000 events), then live ones.
      const resumeFrom = Number(req.headers['last-event-id'] ?? req.query.after ?? Number.NaN);
      try {
        streams.admit();
      } catch (err) {
        reply.header('retry-after', '30');
        throw err;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': connected\n\n');
      let heartbeat: NodeJS.Timeout | undefined;
      const stream = streams.add(credentialsOf(req), actor, {
        write: (text) => res.write(text),
        end: () => {
          clearInterval(heartbeat);
          res.end();
        },
      });
      // Registered before catching up, and sent in the stream's one ordered queue, so nothing falls between the two.
      if (Number.isInteger(resumeFrom) && resumeFrom >= 0) {
        stream.enqueue(async (current) => {
          for (const e of await queries.visibleEventsAfter(current, resumeFrom)) stream.event(e.id, 'ticket', JSON.stringify(e));
        });
      }
      heartbeat = setInterval(() => stream.comment('ping'), 25_000);
      req.raw.on('close', () => stream.close());
    },
  );
}

// Types a browser may show inline without risk; everything else downloads.
const INLINE_SAFE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);

function versionFromIfMatch(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new AppError('VALIDATION_FAILED', 'If-Match must be the ticket version, e.g. "3"');
  return Number(m[1]);
}
