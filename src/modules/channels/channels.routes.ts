import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { IdentityBody, type IdentitiesService } from '../people/identities.service.js';
import { type ChannelsService, healthOf } from './channels.service.js';
import type { MergePeople } from './merge-people.js';

const admin = { level: 'admin', scope: 'admin' } as const;
const IdParams = z.object({ id: z.uuid() });

/**
 * Channel connections as admins see them (kind, status, last success, last error; secrets never leave the server),
 * and people's contact identities: list, attach, and merge two people.
 */
export function channelRoutes(app: FastifyInstance, deps: { channels: ChannelsService; identities: IdentitiesService; merge: MergePeople }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  r.get('/api/v1/channels/connections', { config: { access: admin }, schema: { tags } }, async () => ({
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
      },
    },
    async (req) => deps.merge.merge(requireActor(req), req.params.id, req.body.duplicateId),
  );
}
