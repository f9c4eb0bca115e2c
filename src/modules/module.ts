import type { FastifyInstance } from 'fastify';
import type { EventsNotice } from './tickets/tickets.routes.js';
import type { Presence } from './tickets/presence.js';
import type { TicketsService } from './tickets/tickets.service.js';
import type { JobDefinition } from '../platform/jobs.js';
import type { LiveHub, LiveSignals } from '../platform/live.js';
import type { MetricsCollector } from '../platform/metrics.js';
import type { ScheduleDefinition } from '../platform/schedules.js';

/** What the web process hands every module's `routes`: the live stream and presence it started, and the signals its stream carries. */
export type RouteEnv = { live: LiveHub<EventsNotice>; presence: Presence; signals: LiveSignals };

/**
 * A ticket event subscriber, as a thin adapter over how the tickets module takes listeners today
 * (`tickets.subscribe(…)`, `tickets.onEvents(…)`, `tickets.useAutoAssignment(…)`): when the event stream's
 * subscriber declarations settle, this becomes that declaration and the loop in app.ts hands it over.
 */
export type Subscriber = { name: string; attach: (tickets: TicketsService) => void };

/**
 * One domain module, defined explicitly: the services it built (from the services of the modules it needs,
 * passed in by the list in src/modules/index.ts — no container), its HTTP routes, the jobs it handles, its
 * schedules, its ticket event subscribers, and background work `start`/`worker` run (`start`/`stop`, e.g.
 * the IMAP pollers). Everything but `name` and `services` is optional.
 */
export type ModuleDefinition<S> = {
  name: string;
  services: S;
  routes?: (app: FastifyInstance, env: RouteEnv) => void;
  jobs?: readonly JobDefinition[];
  schedules?: readonly ScheduleDefinition[];
  subscribers?: readonly Subscriber[];
  /** Its gauges for GET /metrics (read from its tables; cached a few seconds between scrapes). */
  metrics?: MetricsCollector;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
};

export type AnyModule = ModuleDefinition<unknown>;

export function defineModule<S>(module: ModuleDefinition<S>): ModuleDefinition<S> {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`module name ${module.name}: lower-case letters, digits and -`);
  return module;
}
