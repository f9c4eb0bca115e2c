import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Timestamp } from '../../platform/responses.js';
import { UpdateWebhookBody, WebhookBody, type WebhooksService, webhookView } from './webhooks.service.js';

const IdParams = z.object({ id: z.uuid() });
const WebhookView = z.object({ id: z.uuid(), name: z.string(), url: z.string(), active: z.boolean(), createdAt: Timestamp, updatedAt: Timestamp });
const DeliveryView = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  ticketId: z.uuid().nullable(),
  payload: z.unknown(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
});

export function webhookRoutes(app: FastifyInstance, webhooks: WebhooksService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhooks'];
  const admin = { level: 'admin', scope: 'admin' } as const;

  r.get('/api/v1/webhooks', { config: { access: admin }, schema: { tags, response: { 200: z.object({ items: z.array(WebhookView) }) } } }, async () => ({
    items: (await webhooks.list()).map(webhookView),
  }));
  r.post(
    '/api/v1/webhooks',
    { config: { access: admin }, schema: { tags, body: WebhookBody, response: { 201: WebhookView.extend({ secret: z.string() }) }, description: 'The answer holds the signing secret, shown this once.' } },
    async (req, reply) => reply.status(201).send(await webhooks.create(req.body)),
  );
  r.patch('/api/v1/webhooks/:id', { config: { access: admin }, schema: { tags, params: IdParams, body: UpdateWebhookBody, response: { 200: WebhookView } } }, async (req) =>
    webhookView(await webhooks.update(req.params.id, req.body)),
  );
  r.delete('/api/v1/webhooks/:id', { config: { access: admin }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await webhooks.remove(req.params.id);
    return reply.status(204).send();
  });
  r.get(
    '/api/v1/webhooks/:id/deliveries',
    { config: { access: admin }, schema: { tags, params: IdParams, response: { 200: z.object({ items: z.array(DeliveryView) }) } } },
    async (req) => {
      await webhooks.get(req.params.id);
      return { items: await webhooks.deliveries(req.params.id) };
    },
  );
}
