import type { Ctx } from '../../platform/context.js';
import { defineSchedule } from '../../platform/schedules.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import type { TicketQueries } from '../tickets/tickets.queries.js';
import { HelpCentre } from './help-centre.js';
import { helpRoutes, kbRoutes } from './kb.routes.js';
import { KbService } from './kb.service.js';
import { KbTranslations } from './translations.service.js';
import { handle } from '../../platform/jobs.js';
import { KB_TOPICS_JOB, TopicsService } from './topics.service.js';

const VIEW_FLUSH_MS = 10_000;

/**
 * The knowledge base and the public help centre at /help (docs/knowledge-base.md). Other modules (the portal,
 * email auto-replies) call `kb.suggest(reader, text)` for the top articles a person may read.
 */
export function kbModule(ctx: Ctx, needs: { queries: TicketQueries; people: PeopleService }) {
  const kb = new KbService(ctx, needs.queries);
  const translations = new KbTranslations(ctx, kb);
  const help = new HelpCentre(kb, ctx.config.publicUrl, translations);
  const topics = new TopicsService(ctx, kb, needs.queries, needs.people);
  const pages = kb.pageCache();
  kb.onChange(() => pages.invalidate());
  let timer: NodeJS.Timeout | undefined;
  return defineModule({
    name: 'kb',
    services: { kb, kbTopics: topics, kbTranslations: translations },
    routes: (app) => {
      kbRoutes(app, ctx, kb, topics, translations);
      helpRoutes(app, ctx, kb, help, translations);
    },
    schedules: [
      // Scheduled publishing; and finished rate-limit windows dropped.
      defineSchedule({ name: 'kb.publish-due', everySeconds: 60, run: async () => void (await kb.publishDue()) }),
      defineSchedule({ name: 'kb.sweep-limits', everySeconds: 600, run: () => kb.sweepLimits() }),
      // Recurring topics, regrouped every hour in the background (a job: retried, never on a request's path).
      defineSchedule({ name: 'kb.topics', everySeconds: 3600, run: () => topics.requestRefresh() }),
    ],
    jobs: [handle(KB_TOPICS_JOB, async () => void (await topics.refresh()))],
    // Page views are counted in memory and added to the articles every few seconds, and on the way out.
    start: async () => {
      timer = setInterval(() => void kb.flushViews().catch(() => {}), VIEW_FLUSH_MS);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await kb.flushViews();
    },
  });
}
