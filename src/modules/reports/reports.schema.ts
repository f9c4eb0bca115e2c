import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The reporting store: one row per ticket with its milestones, counts and durations (calendar seconds `_s`, business
 * seconds on the ticket's SLA calendar `_bs`), kept by the `reports.metrics` step of the ticket event stream in the
 * transaction of each change, and rebuilt from the event log by `lifeline reports rebuild` (same fold, same numbers).
 * Reports read this table, never ten events per ticket. Dimensions are the ticket's as of its latest change.
 */
export const ticketMetrics = pgTable(
  'ticket_metrics',
  {
    // No foreign key to tickets: its check (a key-share lock of the ticket row) was most of what the row cost a new
    // ticket; the store is derived, and a rebuild drops rows whose ticket is gone.
    ticketId: uuid('ticket_id').primaryKey(),
    number: bigint('number', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    // Dimensions.
    requesterId: uuid('requester_id'),
    channel: text('channel').notNull(),
    priorityId: uuid('priority_id'),
    type: text('type'),
    groupId: uuid('group_id'),
    assigneeId: uuid('assignee_id'),
    organizationId: uuid('organization_id'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    productArea: text('product_area'),
    statusCategory: text('status_category').notNull(),
    calendarId: uuid('calendar_id'),
    // Milestones.
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true }),
    firstSolvedAt: timestamp('first_solved_at', { withTimezone: true }),
    // The last solve; null while the ticket is not solved (a reopen clears it).
    solvedAt: timestamp('solved_at', { withTimezone: true }),
    reopenedAt: timestamp('reopened_at', { withTimezone: true }),
    // Counts.
    reopens: integer('reopens').notNull().default(0),
    agentReplies: integer('agent_replies').notNull().default(0),
    requesterReplies: integer('requester_replies').notNull().default(0),
    agentTouches: integer('agent_touches').notNull().default(0),
    reassignments: integer('reassignments').notNull().default(0),
    escalations: integer('escalations').notNull().default(0),
    slaBreaches: integer('sla_breaches').notNull().default(0),
    // Durations, calendar and business seconds.
    frtS: integer('frt_s'),
    frtBs: integer('frt_bs'),
    firstResolutionS: integer('first_resolution_s'),
    firstResolutionBs: integer('first_resolution_bs'),
    fullResolutionS: integer('full_resolution_s'),
    fullResolutionBs: integer('full_resolution_bs'),
    nextResponseS: integer('next_response_s').notNull().default(0),
    nextResponseBs: integer('next_response_bs').notNull().default(0),
    nextResponseCount: integer('next_response_count').notNull().default(0),
    requesterWaitS: integer('requester_wait_s').notNull().default(0),
    requesterWaitBs: integer('requester_wait_bs').notNull().default(0),
    agentWaitS: integer('agent_wait_s').notNull().default(0),
    agentWaitBs: integer('agent_wait_bs').notNull().default(0),
    onHoldS: integer('on_hold_s').notNull().default(0),
    onHoldBs: integer('on_hold_bs').notNull().default(0),
    // SLA outcome per target: met, breached (a breach wins), or null (no outcome recorded).
    slaFirstResponse: text('sla_first_response'),
    slaNextResponse: text('sla_next_response'),
    slaPeriodicUpdate: text('sla_periodic_update'),
    slaResolution: text('sla_resolution'),
    // Where the fold stands: the current state's start, a requester message still awaiting an agent, the last event read.
    stateSince: timestamp('state_since', { withTimezone: true }).notNull(),
    awaitingSince: timestamp('awaiting_since', { withTimezone: true }),
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('ticket_metrics_created_idx').on(t.createdAt),
    index('ticket_metrics_solved_idx').on(t.solvedAt),
    index('ticket_metrics_first_reply_idx').on(t.firstReplyAt),
    // The drill-downs of metrics dated on the first solve and on the last reopen: the first page is a backward scan
    // stopped after 51 rows instead of a scan of the period (seq scans of 0.4–1 s at a million tickets). Reopened
    // tickets are a few per cent: only they are in its index.
    index('ticket_metrics_first_solved_idx').on(t.firstSolvedAt),
    index('ticket_metrics_reopened_idx')
      .on(t.reopenedAt)
      .where(sql`${t.reopenedAt} is not null`),
    // The backlog at an instant T: `open_until` (the last solve, or never) ≥ T and created before T, counted from
    // this index alone (solved_at is in it for an index-only scan), so its cost is the backlog's size, not the store's.
    index('ticket_metrics_open_idx')
      .on(sql`(coalesce(${t.solvedAt}, 'infinity'::timestamptz))`, t.createdAt, t.solvedAt)
      .where(sql`${t.statusCategory} <> 'merged'`),
  ],
);
export type TicketMetricsRow = typeof ticketMetrics.$inferSelect;

/**
 * Per-day rollups of the metrics that have state (metrics/types.ts `MetricState`): for each metric, UTC day of its
 * date, dimension (`none`, or a filter/grouping: agent, group, priority, channel, organization, type, product_area,
 * tag) and that dimension's value, the metric's sums and its duration histograms (bucket numbers and their counts).
 * Derived from ticket_metrics by rollups.service.ts; a year's report reads ~365 rows per group instead of its tickets.
 */
export const reportRollups = pgTable(
  'report_rollups',
  {
    metric: text('metric').notNull(),
    // `day`: the rows of one UTC day; `month`: a calendar month's day rows merged (`day` is the month's first day).
    grain: text('grain').notNull().default('day'),
    day: date('day', { mode: 'string' }).notNull(),
    dim: text('dim').notNull(),
    // The dimension's value as text (null: none, e.g. unassigned; always null for `none`).
    value: text('value'),
    sums: bigint('sums', { mode: 'number' }).array().notNull(),
    hist0Buckets: integer('hist0_buckets').array(),
    hist0Counts: integer('hist0_counts').array(),
    hist1Buckets: integer('hist1_buckets').array(),
    hist1Counts: integer('hist1_counts').array(),
  },
  (t) => [index('report_rollups_read_idx').on(t.metric, t.dim, t.day)],
);

/**
 * Which days' rollups may be read: a day's rows are used only when `built_version` = `version`. A change to a
 * ticket with a milestone on a day older than yesterday bumps that day's `version` (in the change's transaction);
 * the `reports.rollups` schedule rebuilds days whose versions differ or that have no row yet.
 */
export const reportRollupDays = pgTable('report_rollup_days', {
  day: date('day', { mode: 'string' }).primaryKey(),
  version: integer('version').notNull().default(0),
  builtVersion: integer('built_version'),
  builtAt: timestamp('built_at', { withTimezone: true }),
});

/**
 * Month rows of the rollups (grain `month`): built by merging a month's day rows once every day of it is built and
 * clean; `version_sum` is the sum of its days' versions then. Versions only grow, so the month may be read while its
 * days are clean and their versions still add up to it.
 */
export const reportRollupMonths = pgTable('report_rollup_months', {
  month: date('month', { mode: 'string' }).primaryKey(),
  versionSum: integer('version_sum').notNull(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull(),
});
