import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { isIsoTime } from '../../platform/cursor.js';
import { AppError } from '../../platform/errors.js';
import { isUuid, type TicketQueries } from '../tickets/tickets.queries.js';
import { AddressBody, AddressesService, MailboxBody, UpdateAddressBody, UpdateMailboxBody } from './addresses.service.js';
import { INBOUND_STATUSES, type InboundStatus } from './email.schema.js';
import { IMAP_FAILURES, type ImapPollers, testImapConnection } from './imap-poller.js';
import type { InboundEmail, InboundService } from './inbound.service.js';
import type { OutboundEmail, OutboundService } from './outbound.service.js';

const admin = { level: 'admin', scope: 'admin' } as const;
const IdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() });

/** Lists page newest first; the cursor is the last row's time and id. */
function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}
function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || !isUuid(id) || !isIsoTime(at ?? '')) throw new AppError('VALIDATION_FAILED', 'Invalid cursor', { fields: [{ path: 'querystring.cursor', message: 'use nextCursor from the previous page' }] });
  return { at: date, id };
}

function inboundView(m: InboundEmail) {
  const { dedupeKey: _dedupe, rawSha256: _raw, ...rest } = m;
  return rest;
}
function outboundView(m: OutboundEmail) {
  const { rawSha256: _raw, ...rest } = m;
  return rest;
}

export function emailRoutes(
  app: FastifyInstance,
  ctx: Ctx,
  deps: { addresses: AddressesService; inbound: InboundService; outbound: OutboundService; queries: TicketQueries; pollers: () => ImapPollers },
): void {
  const { addresses, inbound, outbound, queries } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['email'];

  // ---- support addresses
  r.get('/api/v1/email/addresses', { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags } }, async () => ({ items: await addresses.list() }));
  r.post('/api/v1/email/addresses', { config: { access: admin }, schema: { tags, body: AddressBody } }, async (req, reply) =>
    reply.status(201).send(await addresses.create(req.body)),
  );
  r.get('/api/v1/email/addresses/:id', { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, params: IdParams } }, async (req) => addresses.get(req.params.id));
  r.patch('/api/v1/email/addresses/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateAddressBody } }, async (req) =>
    addresses.update(req.params.id, req.body),
  );
  r.delete('/api/v1/email/addresses/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await addresses.remove(req.params.id);
    return reply.status(204).send();
  });

  // ---- IMAP mailboxes, with their sync state
  const refreshPollers = () => deps.pollers().refresh();
  r.get('/api/v1/email/mailboxes', { config: { access: admin }, schema: { tags } }, async () => ({
    items: (await addresses.listMailboxes()).map(AddressesService.mailboxView),
  }));
  r.post('/api/v1/email/mailboxes', { config: { access: admin }, schema: { tags, body: MailboxBody } }, async (req, reply) => {
    const created = await addresses.createMailbox(req.body);
    await refreshPollers();
    return reply.status(201).send(AddressesService.mailboxView(created));
  });
  r.get('/api/v1/email/mailboxes/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req) =>
    AddressesService.mailboxView(await addresses.mailboxInfo(req.params.id)),
  );
  r.patch('/api/v1/email/mailboxes/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateMailboxBody } }, async (req) => {
    const updated = await addresses.updateMailbox(req.params.id, req.body);
    await refreshPollers();
    return AddressesService.mailboxView(updated);
  });
  // Connect, sign in and open the folder now, with the saved settings: the outcome in words (ok or why not).
  r.post(
    '/api/v1/email/mailboxes/:id/test',
    { config: { access: admin }, schema: { tags, params: IdParams, response: { 200: z.object({ ok: z.boolean(), message: z.string(), messages: z.number().int().nullable(), failure: z.enum(IMAP_FAILURES).nullable() }) } } },
    async (req) => testImapConnection(await addresses.getMailbox(req.params.id)),
  );
  r.delete('/api/v1/email/mailboxes/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await addresses.removeMailbox(req.params.id);
    await refreshPollers();
    return reply.status(204).send();
  });

  // ---- inbound: the HTTP door (raw MIME), and the list admins use to find and retry failed messages
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register() takes an async plugin and awaits it (Biome sees only the callback overload)
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.smtp.maxBytes }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/inbound/email',
      {
        config: { access: { level: 'admin', scope: 'inbound:email' } },
        bodyLimit: ctx.config.smtp.maxBytes,
        schema: {
          tags,
          description: 'Raw MIME (message/rfc822) as the body. `to` names the envelope recipient; without it the Delivered-To, X-Original-To, To and Cc headers are tried.',
          querystring: z.object({ to: z.string().max(320).optional(), from: z.string().max(320).optional() }),
        },
      },
      async (req, reply) => {
        const raw = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(raw) || raw.length === 0) throw new AppError('INVALID_EMAIL', 'The message is empty (0 bytes); send the raw MIME as the request body');
        const accepted = await inbound.accept(raw, { source: 'http', envelopeTo: req.query.to ? [req.query.to] : [], envelopeFrom: req.query.from ?? null });
        return reply.status(accepted.duplicate ? 200 : 202).send(accepted);
      },
    );
  });

  r.get(
    '/api/v1/inbound/emails',
    { config: { access: admin }, schema: { tags, querystring: ListQuery.extend({ status: z.enum(INBOUND_STATUSES).optional() }) } },
    async (req) => {
      const before = decodeCursor(req.query.cursor);
      const rows = await inbound.list({ status: req.query.status as InboundStatus | undefined, limit: req.query.limit + 1, before: before && { receivedAt: before.at, id: before.id } });
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return { items: page.map(inboundView), nextCursor: rows.length > req.query.limit && last ? encodeCursor(last.receivedAt, last.id) : null };
    },
  );
  r.get('/api/v1/inbound/emails/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req) => inboundView(await inbound.get(req.params.id)));
  r.post('/api/v1/inbound/emails/:id/retry', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req) =>
    inboundView(await inbound.retry(req.params.id)),
  );
  r.get('/api/v1/inbound/emails/:id/raw', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    const m = await inbound.get(req.params.id);
    return sendRaw(reply, await inbound.raw(m.rawSha256), `inbound-${m.id}.eml`);
  });

  // The original of a message that came by email, one click from the conversation.
  r.get(
    '/api/v1/tickets/:id/messages/:messageId/raw',
    { config: { access: { level: 'staff', scope: 'tickets:read' } }, schema: { tags, params: z.object({ id: z.uuid(), messageId: z.uuid() }) } },
    async (req, reply) => {
      await queries.getRow(requireActor(req), req.params.id);
      const m = await inbound.forMessage(req.params.messageId);
      if (!m || m.ticketId !== req.params.id) throw new AppError('NOT_FOUND', 'This message did not arrive by email, or belongs to another ticket');
      return sendRaw(reply, await inbound.raw(m.rawSha256), `message-${req.params.messageId}.eml`);
    },
  );

  r.get('/api/v1/email/bouncing', { config: { access: { level: 'admin', scope: 'admin' } }, schema: { tags } }, async () => ({ items: await inbound.listBouncing() }));

  // ---- the outbox: every message Lifeline sent or holds
  r.get(
    '/api/v1/outbox',
    { config: { access: admin }, schema: { tags, querystring: ListQuery.extend({ ticketId: z.uuid().optional(), status: z.enum(['queued', 'sent', 'stored', 'failed']).optional() }) } },
    async (req) => {
      const before = decodeCursor(req.query.cursor);
      const rows = await outbound.list({ limit: req.query.limit + 1, ticketId: req.query.ticketId, status: req.query.status, before: before && { createdAt: before.at, id: before.id } });
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return { mode: outbound.mode, items: page.map(outboundView), nextCursor: rows.length > req.query.limit && last ? encodeCursor(last.createdAt, last.id) : null };
    },
  );
  r.get('/api/v1/outbox/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req) => outboundView(await outbound.get(req.params.id)));
  r.get('/api/v1/outbox/:id/raw', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    const m = await outbound.get(req.params.id);
    return sendRaw(reply, await inbound.raw(m.rawSha256), `outbound-${m.id}.eml`);
  });
}

function sendRaw(reply: import('fastify').FastifyReply, raw: Buffer, filename: string) {
  return reply
    .header('content-type', 'message/rfc822')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(raw);
}
