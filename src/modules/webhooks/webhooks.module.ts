import type { Ctx } from '../../platform/context.js';
import { handle } from '../../platform/jobs.js';
import { defineModule } from '../module.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { webhookRoutes } from './webhooks.routes.js';
import { WEBHOOK_DELIVER, WebhooksService } from './webhooks.service.js';

/** Outgoing webhooks that rules fire, each delivery a job with retries. */
export function webhooksModule(ctx: Ctx, needs: { queries: TicketQueries }) {
  const webhooks = new WebhooksService(ctx, needs.queries);
  return defineModule({
    name: 'webhooks',
    services: { webhooks },
    routes: (app) => webhookRoutes(app, webhooks),
    jobs: [handle(WEBHOOK_DELIVER, (p, job) => webhooks.deliver(p.deliveryId, job))],
  });
}
