import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import { Secrets } from '../../platform/secrets.js';
import type { IdentitiesService } from '../people/identities.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { channelRoutes } from './channels.routes.js';
import { ChannelsService } from './channels.service.js';
import { MergePeople } from './merge-people.js';

/**
 * Channel connections (IMAP today; Slack, GitHub, widget next), their secrets sealed with the process's key
 * (SECRET_KEY or DATA_DIR/secret.key), and merging two people. The channels themselves (email) take `channels`.
 */
export function channelsModule(ctx: Ctx, needs: { people: PeopleService; identities: IdentitiesService; queries: TicketQueries }) {
  const channels = new ChannelsService(ctx, Secrets.load(ctx.config));
  const merge = new MergePeople(ctx, needs.people, needs.identities, needs.queries);
  return defineModule({
    name: 'channels',
    services: { channels, merge },
    routes: (app) => channelRoutes(app, { channels, identities: needs.identities, merge }),
  });
}
