import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { Timestamp } from '../../platform/responses.js';
import { IdentityBody, type IdentitiesService } from '../people/identities.service.js';
import { CHANNEL_KINDS, CONNECTION_STATUSES } from './channels.schema.js';
import { type ChannelsService, healthOf } from './channels.service.js';
import type { MergePeople } from './merge-people.js';

const admin = { level: 'admin', scope: 'admin' } as const;
const IdParams = z.object({ id: z.uuid() });
const ConnectionHealthView = z.object({
  id: z.uuid(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  status: z.enum(CONNECTION_STATUSES),
  syncState: z.enum(['connected', 'idle']),
  lastSuccessAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: Timestamp.nullable(),
  failureCount: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
const MergeResultView = z.object({
  survivorId: z.uuid(),
  mergedId: z.uuid(),
  moved: z.object({ tickets: z.number().int(), messages: z.number().int(), follows: z.number().int(), identities: z.number().int() }),
});

/**
 * Channel connections as admins see them (kind, status, last success, last error; secrets never leave the server),
 * and people's contact identities: list, attach, and merge two people.
 */
export function channelRoutes(app: FastifyInstance, deps: { channels: ChannelsService; identities: IdentitiesService; merge: MergePeople }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  r.get('/api/v1/channels/connections', { config: { access: admin }, schema: { tags, response: { 200: z.object({ items: z.array(ConnectionHealthView) }) } } }, async () => ({
    items: (await deps.channels.list()).map(healthOf),
  }));

  r.get('/api/v1/users/:id/identities', { config: { access: admin }, schema: { tags: ['people'], params: IdParams } }, async (req) => ({
    items: await deps.identities.list(req.params.id),
    merges: await deps.identities.merges(req.params.id),
  }));
  r.post('/api/v1/users/:id/identities', { config: { access: admin }, schema: { tags: ['people'], params: IdParams, body: IdentityBody } }, async (req, reply) =>
    reply.status(201).send(await deps.identities.attach(req.params.id, req.body)),
  );
  r.post(
    '/api/v1/users/:id/merge',
    {
      config: { access: admin },
      schema: {
        tags: ['people'],
        description: 'Merges `duplicateId` into this person: tickets, messages, follows and identities move here; the duplicate is deactivated.',
        params: IdParams,
        body: z.object({ duplicateId: z.uuid() }),
        response: { 200: MergeResultView },
      },
    },
    async (req) => deps.merge.merge(requireActor(req), req.params.id, req.body.duplicateId),
  );
}
