import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { AppError } from '../../platform/errors.js';
import { WindowLimiter } from '../../platform/rate-limit.js';
import { Timestamp } from '../../platform/responses.js';
import { MONITOR_KINDS, MONITOR_STATUSES } from './monitors.schema.js';
import { MonitorBody, type MonitorsService, PagingBody, UpdateMonitorBody } from './monitors.service.js';

const IdParams = z.object({ id: z.uuid() });
const read = { level: 'staff', scope: 'tickets:read' } as const;
const admin = { level: 'admin', scope: 'admin' } as const;
const tags = ['monitors'];
/** Pings one client (an IPv4 address, an IPv6 /64) may send a minute: a heartbeat needs two at most. */
export const HEARTBEAT_PINGS_PER_MINUTE = 60;

const MonitorView = z.object({
  id: z.uuid(),
  name: z.string(),
  componentId: z.uuid(),
  kind: z.enum(MONITOR_KINDS),
  url: z.string().nullable(),
  method: z.enum(['GET', 'HEAD']),
  intervalSeconds: z.number(),
  timeoutSeconds: z.number(),
  expectedStatusMin: z.number(),
  expectedStatusMax: z.number(),
  keyword: z.string().nullable(),
  graceSeconds: z.number(),
  failureThreshold: z.number(),
  severity: z.string().nullable().describe("The declared incident's severity; null: the top one"),
  paused: z.boolean(),
  status: z.enum(MONITOR_STATUSES),
  consecutiveFailures: z.number(),
  nextCheckAt: Timestamp,
  lastCheckedAt: Timestamp.nullable(),
  lastPingAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const ResultView = z.object({ id: z.number(), at: Timestamp, ok: z.boolean(), latencyMs: z.number().nullable(), statusCode: z.number().nullable(), error: z.string().nullable() });
const AlertView = z.object({
  id: z.uuid(),
  openedAt: Timestamp,
  recoveredAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  pageId: z.uuid().nullable(),
  incident: z.object({ id: z.uuid(), number: z.number(), state: z.string(), title: z.string() }).nullable(),
});
const DetailView = MonitorView.extend({ results: z.array(ResultView), alert: AlertView.nullable() });
const Created = MonitorView.extend({ heartbeatUrl: z.string().nullable() });

function view<T extends { tokenHash?: unknown; createdById?: unknown }>(m: T) {
  const { tokenHash: _t, createdById: _c, ...rest } = m;
  return rest;
}

export function monitorRoutes(app: FastifyInstance, monitors: MonitorsService, now: () => number): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/monitors', { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(MonitorView) }) } } }, async () => ({
    items: (await monitors.list()).map(view),
  }));
  r.post(
    '/api/v1/monitors',
    { config: { access: admin }, schema: { tags, body: MonitorBody, response: { 201: Created }, description: 'An HTTP check or a heartbeat on a status component; a heartbeat answers its secret URL once, here.' } },
    async (req, reply) => {
      const { monitor, heartbeatToken } = await monitors.create(requireActor(req), req.body);
      return reply.status(201).send({ ...view(monitor), heartbeatUrl: heartbeatToken ? monitors.heartbeatUrl(heartbeatToken) : null });
    },
  );
  r.get('/api/v1/monitors/:id', { config: { access: read }, schema: { tags, params: IdParams, response: { 200: DetailView }, description: 'The monitor, its last results (newest first) and its open or latest alert.' } }, async (req) => {
    const m = await monitors.get(req.params.id);
    const [results, alert] = await Promise.all([monitors.results(m.id), monitors.alert(m.id)]);
    return { ...view(m), results, alert };
  });
  r.patch('/api/v1/monitors/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateMonitorBody, response: { 200: MonitorView }, description: 'Changes a monitor; `paused` pauses and resumes it.' } }, async (req) =>
    view(await monitors.update(req.params.id, req.body)),
  );
  r.delete('/api/v1/monitors/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await monitors.remove(req.params.id);
    return reply.status(204).send();
  });
  r.post('/api/v1/monitors/:id/heartbeat-url', { config: { access: admin }, schema: { tags, params: IdParams, response: { 200: z.object({ heartbeatUrl: z.string() }) }, description: 'A new secret URL for a heartbeat; the old one stops working.' } }, async (req) => ({
    heartbeatUrl: monitors.heartbeatUrl(await monitors.rotateToken(req.params.id)),
  }));
  r.get('/api/v1/component-paging', { config: { access: read }, schema: { tags, response: { 200: z.object({ items: z.array(z.object({ componentId: z.uuid(), policyId: z.uuid() })) }) } } }, async () => ({
    items: await monitors.paging(),
  }));
  r.put('/api/v1/component-paging/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: PagingBody, description: 'The escalation policy a component’s monitors page (null: none).' } }, async (req, reply) => {
    await monitors.setPaging(req.params.id, req.body.policyId);
    return reply.status(204).send();
  });

  // The heartbeat: no sign-in (the token in the path is the credential), limited per client.
  const limiter = new WindowLimiter({ limit: HEARTBEAT_PINGS_PER_MINUTE, windowMs: 60_000, maxClients: 100_000, now });
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
    const { result, retryAfterS } = limiter.hit(req.ip);
    if (result !== 'limited') return;
    reply.header('retry-after', String(retryAfterS));
    throw new AppError('TOO_MANY_ATTEMPTS', `Too many heartbeat pings from this address; try again in ${retryAfterS} s`);
  };
  const ping = { config: { access: { level: 'public' } }, onRequest, schema: { tags, params: z.object({ token: z.string().max(200) }), response: { 200: z.object({ ok: z.literal(true), nextDeadline: z.string() }) } } } as const;
  // Cron jobs ping with whatever their tool sends (`curl -d done`, a JSON status, nothing): any body of any type is
  // accepted and ignored, in this route's own context only (elsewhere an unknown type is still 415).
  void app.register((scope, _opts, registered) => {
    scope.addContentTypeParser('*', { bodyLimit: 64 * 1024 }, (_req, payload, done) => {
      payload.on('data', () => {});
      payload.on('end', () => done(null, undefined));
      payload.on('error', done);
    });
    const s = scope.withTypeProvider<ZodTypeProvider>();
    s.post('/api/v1/heartbeats/:token', { ...ping, schema: { ...ping.schema, description: 'A heartbeat ping (POST or GET, any body): the job is alive.' } }, async (req) => monitors.ping(req.params.token));
    s.get('/api/v1/heartbeats/:token', ping, async (req) => monitors.ping(req.params.token));
    registered();
  });
}
