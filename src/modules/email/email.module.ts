import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { IntakeService } from '../channels/intake.service.js';
import type { ReplyDeliverers } from '../channels/replies.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { AddressesService } from './addresses.service.js';
import { EMAIL_REPLY_CHANNELS, emailEventListener, emailJobs, noteDeliveryFailures } from './email.jobs.js';
import { inboundMailMetrics } from './email.metrics.js';
import { emailRoutes } from './email.routes.js';
import { ImapPollers } from './imap-poller.js';
import { type ArticlesForMail, InboundService } from './inbound.service.js';
import { OutboundService } from './outbound.service.js';

/** The email channel: addresses, the inbound pipeline, outgoing mail, and the IMAP pollers (started by start/worker). */
export function emailModule(ctx: Ctx, needs: { channels: ChannelsService; intake: IntakeService; replies: ReplyDeliverers; people: PeopleService; settings: TicketSettingsService; tickets: TicketsService; queries: TicketQueries; articles: ArticlesForMail }) {
  const addresses = new AddressesService(ctx, needs.settings, needs.channels);
  const outbound = new OutboundService(ctx, addresses, needs.people);
  const inbound = new InboundService(ctx, addresses, needs.people, needs.settings, needs.tickets, outbound, needs.intake, needs.articles);
  const pollers = new ImapPollers(ctx, addresses, inbound);
  noteDeliveryFailures(outbound, needs.tickets);
  // Agents' public replies go out by email on email tickets and on those of channels with no conversation of their
  // own (web form, portal, API, phone, other); Slack, GitHub and widget tickets wait for their own deliverers.
  needs.replies.register(EMAIL_REPLY_CHANNELS, { name: 'email', deliver: (messageId) => outbound.sendReply(messageId) });
  const email = { addresses, inbound, outbound, pollers };
  return defineModule({
    name: 'email',
    services: { email },
    metrics: inboundMailMetrics(ctx),
    routes: (app) => emailRoutes(app, ctx, { ...email, queries: needs.queries, pollers: () => pollers }),
    jobs: emailJobs(inbound, outbound),
    subscribers: [{ name: 'email.notifications', attach: (tickets) => tickets.onEvents(emailEventListener(ctx)) }],
    start: () => pollers.start(),
    stop: async () => {
      await pollers.stop();
    },
  });
}
