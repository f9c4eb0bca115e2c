import type { Ctx } from '../../platform/context.js';
import { defineSchedule } from '../../platform/schedules.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { IntakeService } from '../channels/intake.service.js';
import type { ReplyDeliverers } from '../channels/replies.service.js';
import type { CsatService } from '../csat/csat.service.js';
import type { OutboundService } from '../email/outbound.service.js';
import type { KbService } from '../kb/kb.service.js';
import type { KbTranslations } from '../kb/translations.service.js';
import type { IdentitiesService } from '../people/identities.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketsService } from '../tickets/tickets.service.js';
import { defineModule } from '../module.js';
import { widgetRoutes } from './widget.routes.js';
import { WidgetService } from './widget.service.js';

/**
 * The "Report an issue" widget (docs/widget.md): sites (channel connections of kind `widget`), the script at
 * /widget.js and its panel, and visitors' reports taken in through the intake pipeline as channel `widget`.
 */
export function widgetModule(
  ctx: Ctx,
  needs: { channels: ChannelsService; intake: IntakeService; replies: ReplyDeliverers; people: PeopleService; identities: IdentitiesService; tickets: TicketsService; kb: KbService; kbTranslations: KbTranslations; outbound: OutboundService; csat: CsatService },
) {
  const widget = new WidgetService(ctx, needs);
  needs.replies.register(['widget'], { name: 'widget (by email)', deliver: (messageId) => widget.deliverReply(messageId) });
  return defineModule({
    name: 'widget',
    services: { widget },
    routes: (app) => widgetRoutes(app, widget),
    schedules: [defineSchedule({ name: 'widget.sweep-limits', everySeconds: 600, run: () => widget.sweepLimits() })],
  });
}
