import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import { Secrets } from '../../platform/secrets.js';
import type { IdentitiesService } from '../people/identities.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { IntakeService } from './intake.service.js';
import { ReplyDeliverers } from './replies.service.js';
import { channelRoutes } from './channels.routes.js';
import { ChannelsService } from './channels.service.js';
import { MergePeople } from './merge-people.js';

/**
 * Channel connections (IMAP today; Slack, GitHub, widget next), their secrets sealed with the process's key
 * (SECRET_KEY or DATA_DIR/secret.key), merging two people, the one intake pipeline every channel hands its messages
 * to (`intake`), and the registry of reply deliverers each channel module registers into (`replies`).
 */
export function channelsModule(ctx: Ctx, needs: { people: PeopleService; identities: IdentitiesService; queries: TicketQueries; tickets: TicketsService }) {
  const channels = new ChannelsService(ctx, Secrets.load(ctx.config));
  const merge = new MergePeople(ctx, needs.people, needs.identities, needs.queries);
  const intake = new IntakeService(ctx, needs.people, needs.identities, needs.tickets);
  const replies = new ReplyDeliverers(ctx);
  return defineModule({
    name: 'channels',
    services: { channels, merge, intake, replies },
    jobs: replies.jobs(),
    subscribers: [{ name: 'channels.replies', attach: (tickets) => tickets.subscribe(replies.subscriber()) }],
    routes: (app) => channelRoutes(app, { channels, identities: needs.identities, merge }),
  });
}
