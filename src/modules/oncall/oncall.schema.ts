import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** An on-call schedule: layers of rotations and overrides in one time zone. Its iCal feed's token is kept only as a hash (`feedTokenHash`); rotating replaces it. */
export const oncallSchedules = pgTable(
  'oncall_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    timeZone: text('time_zone').notNull(),
    feedTokenHash: text('feed_token_hash').notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [uniqueIndex('oncall_schedules_name_uq').on(sql`lower(${t.name})`)],
);

/** One rotation of a schedule (see rotation.ts for how turns are counted); the higher `rank` wins. */
export const oncallLayers = pgTable(
  'oncall_layers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => oncallSchedules.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    rank: integer('rank').notNull(),
    memberIds: jsonb('member_ids').$type<string[]>().notNull(),
    turnHours: integer('turn_hours').notNull(),
    handoffTime: text('handoff_time').notNull(),
    handoffWeekday: integer('handoff_weekday'),
    startsOn: text('starts_on').notNull(),
  },
  (t) => [index('oncall_layers_schedule_idx').on(t.scheduleId, t.rank)],
);

/** "Take my Tuesday": a person on call for a range, over every layer. Overrides of one schedule never overlap. */
export const oncallOverrides = pgTable(
  'oncall_overrides',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => oncallSchedules.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    note: text('note').notNull().default(''),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('oncall_overrides_schedule_idx').on(t.scheduleId, t.startsAt)],
);

/** A person's iCal feed (their shifts across schedules): only the token's hash is kept; rotating replaces it. */
export const oncallPersonFeeds = pgTable('oncall_person_feeds', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull(),
});

export type PolicyTarget = { type: 'user' | 'schedule' | 'policy'; id: string };
export type PolicyStep = { delayMinutes: number; targets: PolicyTarget[] };

/** Steps of "notify these, wait N minutes", the whole list repeated `repeat` more times. */
export const oncallPolicies = pgTable(
  'oncall_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    repeat: integer('repeat').notNull().default(0),
    steps: jsonb('steps').$type<PolicyStep[]>().notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [uniqueIndex('oncall_policies_name_uq').on(sql`lower(${t.name})`)],
);

export const PAGE_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export type PageStatus = (typeof PAGE_STATUSES)[number];
export const PAGE_SOURCES = ['manual', 'ticket', 'rule', 'incident'] as const;
export type PageSource = (typeof PAGE_SOURCES)[number];

/**
 * A page: someone must look now. It walks its policy's steps (`round` counts repeats) until acknowledged.
 * `dedupeKey` makes a cause page once (a ticket, an incident).
 */
export const oncallPages = pgTable(
  'oncall_pages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: integer('number').generatedAlwaysAsIdentity().notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    source: text('source').$type<PageSource>().notNull(),
    ticketId: uuid('ticket_id'),
    incidentId: uuid('incident_id'),
    dedupeKey: text('dedupe_key'),
    policyId: uuid('policy_id')
      .notNull()
      .references(() => oncallPolicies.id),
    status: text('status').$type<PageStatus>().notNull().default('triggered'),
    step: integer('step').notNull().default(0),
    round: integer('round').notNull().default(0),
    // True once the last step of the last round was notified: nobody left to escalate to.
    exhausted: boolean('exhausted').notNull().default(false),
    createdById: uuid('created_by_id'),
    createdAt: at('created_at').notNull(),
    escalatedAt: at('escalated_at'),
    acknowledgedAt: at('acknowledged_at'),
    acknowledgedById: uuid('acknowledged_by_id'),
    resolvedAt: at('resolved_at'),
    resolvedById: uuid('resolved_by_id'),
  },
  (t) => [uniqueIndex('oncall_pages_dedupe_uq').on(t.dedupeKey), index('oncall_pages_status_idx').on(t.status, t.createdAt)],
);

/** Who a page reached, how and when: one row per person, channel and step; the in-app row is their inbox entry. */
export const oncallNotifications = pgTable(
  'oncall_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    pageId: uuid('page_id')
      .notNull()
      .references(() => oncallPages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    round: integer('round').notNull(),
    step: integer('step').notNull(),
    channel: text('channel').$type<'email' | 'in_app' | 'webhook'>().notNull(),
    status: text('status').$type<'pending' | 'sent' | 'stored' | 'failed'>().notNull().default('pending'),
    error: text('error'),
    createdAt: at('created_at').notNull(),
    sentAt: at('sent_at'),
  },
  (t) => [uniqueIndex('oncall_notifications_uq').on(t.pageId, t.round, t.step, t.userId, t.channel), index('oncall_notifications_user_idx').on(t.userId, t.createdAt)],
);

/** Acknowledge / resolve links: single-use, expiring, bound to one page and person. Only the token's hash is kept. */
export const oncallPageLinks = pgTable('oncall_page_links', {
  tokenHash: text('token_hash').primaryKey(),
  pageId: uuid('page_id')
    .notNull()
    .references(() => oncallPages.id, { onDelete: 'cascade' }),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  action: text('action').$type<'acknowledge' | 'resolve'>().notNull(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
});

/** Notes the outgoing person leaves for the next shift of a schedule. */
export const oncallHandoffNotes = pgTable(
  'oncall_handoff_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => oncallSchedules.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id),
    body: text('body').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('oncall_handoff_notes_schedule_idx').on(t.scheduleId, t.createdAt)],
);

/** Each shift start whose hand-off summary went out: once per schedule and start, across processes. */
export const oncallHandoffs = pgTable(
  'oncall_handoffs',
  {
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => oncallSchedules.id, { onDelete: 'cascade' }),
    shiftStart: at('shift_start').notNull(),
    userId: uuid('user_id').notNull(),
    sentAt: at('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scheduleId, t.shiftStart] })],
);

/**
 * Settings (one row): which ticket priorities page which policy, which policy declared incidents page, and the outgoing webhook (SMS / phone
 * provider) each page notification is also posted to.
 */
export const oncallSettings = pgTable('oncall_settings', {
  id: integer('id').primaryKey().default(1),
  ticketPriorities: jsonb('ticket_priorities').$type<string[]>().notNull(),
  ticketPolicyId: uuid('ticket_policy_id').references(() => oncallPolicies.id, { onDelete: 'set null' }),
  // Declared incidents page this policy (once per incident).
  incidentPolicyId: uuid('incident_policy_id').references(() => oncallPolicies.id, { onDelete: 'set null' }),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  updatedAt: at('updated_at').notNull(),
});
