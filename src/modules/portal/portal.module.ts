import type { Ctx } from '../../platform/context.js';
import type { CsatService } from '../csat/csat.service.js';
import type { KbService } from '../kb/kb.service.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import type { OutboundService } from '../email/outbound.service.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketSettingsService } from '../tickets/settings.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { portalRoutes } from './portal.routes.js';
import { PortalService } from './portal.service.js';

/** The customer portal at /portal (docs/portal.md). */
export function portalModule(
  ctx: Ctx,
  needs: {
    people: PeopleService;
    tickets: TicketsService;
    queries: TicketQueries;
    settings: TicketSettingsService;
    fields: CustomFieldsService;
    outbound: OutboundService;
    csat: CsatService;
    kb: KbService;
    /** The public status page's summary (Statuspage v2 JSON): its active incidents are the portal's banners. */
      statusSummary: () => Promise<string>;
  },
) {
  const portal = new PortalService(ctx, needs);
  return defineModule({ name: 'portal', services: { portal }, routes: (app) => portalRoutes(app, ctx, portal, needs.csat) });
}
