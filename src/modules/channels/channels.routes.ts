import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type ChannelsService, healthOf } from './channels.service.js';

const admin = { level: 'admin', scope: 'admin' } as const;

/** Channel connections as admins see them: kind, status, last success, last error. Secrets never leave the server. */
export function channelRoutes(app: FastifyInstance, channels: ChannelsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['channels'];
  r.get('/api/v1/channels/connections', { config: { access: admin }, schema: { tags } }, async () => ({
    items: (await channels.list()).map(healthOf),
  }));
}
