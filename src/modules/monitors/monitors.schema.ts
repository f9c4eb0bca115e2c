import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { incidents, statusComponents } from '../incidents/incidents.schema.js';
import { oncallPages, oncallPolicies } from '../oncall/oncall.schema.js';
import { users } from '../people/people.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

export const MONITOR_KINDS = ['http', 'heartbeat'] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];
export const MONITOR_STATUSES = ['pending', 'up', 'down'] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];

/**
 * A monitor of a status component: an HTTP check Lifeline makes every `interval_seconds`, or a heartbeat that
 * must be pinged that often (plus `grace_seconds`). `next_check_at` is when the next check is due (a heartbeat:
 * when it is late); the schedule claims due rows by moving it forward, so one check runs once across processes.
 * A heartbeat's secret is kept only as its SHA-256 (`token_hash`).
 */
export const monitors = pgTable(
  'monitors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    componentId: uuid('component_id')
      .notNull()
      .references(() => statusComponents.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<MonitorKind>().notNull(),
    url: text('url'),
    method: text('method').$type<'GET' | 'HEAD'>().notNull().default('GET'),
    intervalSeconds: integer('interval_seconds').notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    expectedStatusMin: integer('expected_status_min').notNull().default(200),
    expectedStatusMax: integer('expected_status_max').notNull().default(299),
    keyword: text('keyword'),
    graceSeconds: integer('grace_seconds').notNull().default(0),
    failureThreshold: integer('failure_threshold').notNull().default(3),
    // The severity (a priority key of the incident severities) of the incident an alert declares; null: the first (top) one.
    severity: text('severity'),
    paused: boolean('paused').notNull().default(false),
    tokenHash: text('token_hash'),
    status: text('status').$type<MonitorStatus>().notNull().default('pending'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    nextCheckAt: at('next_check_at').notNull(),
    lastCheckedAt: at('last_checked_at'),
    lastPingAt: at('last_ping_at'),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('monitors_name_uq').on(sql`lower(${t.name})`),
    uniqueIndex('monitors_token_uq').on(t.tokenHash),
    index('monitors_due_idx').on(t.nextCheckAt).where(sql`not ${t.paused}`),
  ],
);

/** Each check's outcome; the last 100 per monitor are kept (the monitor screen's chart and list). */
export const monitorResults = pgTable(
  'monitor_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    monitorId: uuid('monitor_id')
      .notNull()
      .references(() => monitors.id, { onDelete: 'cascade' }),
    at: at('at').notNull(),
    ok: boolean('ok').notNull(),
    latencyMs: integer('latency_ms'),
    statusCode: integer('status_code'),
    error: text('error'),
  },
  (t) => [index('monitor_results_monitor_idx').on(t.monitorId, t.id)],
);

/**
 * An alert: the run of failures that reached the monitor's threshold, until it recovered. At most one open
 * alert per monitor (the partial unique index); it opens one draft incident and one page.
 */
export const monitorAlerts = pgTable(
  'monitor_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    monitorId: uuid('monitor_id')
      .notNull()
      .references(() => monitors.id, { onDelete: 'cascade' }),
    openedAt: at('opened_at').notNull(),
    lastError: text('last_error'),
    recoveredAt: at('recovered_at'),
    recoveryNotedAt: at('recovery_noted_at'),
    incidentId: uuid('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    incidentNumber: integer('incident_number'),
    pageId: uuid('page_id').references(() => oncallPages.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('monitor_alerts_open_uq').on(t.monitorId).where(sql`${t.recoveredAt} is null`), index('monitor_alerts_monitor_idx').on(t.monitorId, t.openedAt)],
);

/** The escalation policy a component's monitors page when they open an alert (optional, one per component). */
export const componentPaging = pgTable('component_paging', {
  componentId: uuid('component_id')
    .primaryKey()
    .references(() => statusComponents.id, { onDelete: 'cascade' }),
  policyId: uuid('policy_id')
    .notNull()
    .references(() => oncallPolicies.id, { onDelete: 'cascade' }),
  updatedAt: at('updated_at').notNull(),
});
