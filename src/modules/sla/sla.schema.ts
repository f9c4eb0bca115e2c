import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Condition } from '../rules/conditions.js';
import { tickets } from '../tickets/tickets.schema.js';
import type { Holiday, HolidayRegion, WeeklyHours } from './business-time.js';

/** When a team works: the clock SLA targets are counted on. See business-time.ts for the maths. */
export const businessCalendars = pgTable(
  'business_calendars',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull(),
    alwaysOpen: boolean('always_open').notNull().default(false),
    weekly: jsonb('weekly').$type<WeeklyHours>().notNull().default({}),
    holidays: jsonb('holidays').$type<Holiday[]>().notNull().default([]),
    holidayRegion: jsonb('holiday_region').$type<HolidayRegion | null>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('business_calendars_name_uq').on(sql`lower(${t.name})`)],
);

export const SLA_METRICS = ['first_response', 'next_response', 'periodic_update', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];
/** Business minutes per metric, per priority key. */
export type SlaTargets = Record<string, Partial<Record<SlaMetric, number>>>;
/** Which clocks each state category pauses. */
export type SlaPauses = Partial<Record<'new' | 'open' | 'pending' | 'on_hold' | 'solved', SlaMetric[]>>;

/** An SLA policy: the first active one (by position) whose condition matches a ticket applies to it. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    active: boolean('active').notNull().default(true),
    condition: jsonb('condition').$type<Condition>().notNull(),
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => businessCalendars.id),
    targets: jsonb('targets').$type<SlaTargets>().notNull(),
    pauses: jsonb('pauses').$type<SlaPauses>().notNull(),
    // A warning event when this share of a target has passed.
    warnPercent: integer('warn_percent').notNull().default(75),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sla_policies_name_uq').on(sql`lower(${t.name})`)],
);

/**
 * A ticket's clock for one metric. While running, `dueAt` is `runningSince` plus the business minutes still left
 * (target − elapsed); pausing adds the run to `elapsedMinutes` and clears `dueAt`, so a pause never shortens a
 * deadline and a resume keeps what had elapsed. Breaches and warnings are stamped once, by the sweep.
 */
export const slaClocks = pgTable(
  'sla_clocks',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    metric: text('metric').$type<SlaMetric>().notNull(),
    policyId: uuid('policy_id').references(() => slaPolicies.id, { onDelete: 'set null' }),
    status: text('status').$type<'running' | 'paused' | 'achieved' | 'stopped'>().notNull(),
    targetMinutes: integer('target_minutes').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    runningSince: timestamp('running_since', { withTimezone: true }),
    elapsedMinutes: doublePrecision('elapsed_minutes').notNull().default(0),
    dueAt: timestamp('due_at', { withTimezone: true }),
    warnAt: timestamp('warn_at', { withTimezone: true }),
    achievedAt: timestamp('achieved_at', { withTimezone: true }),
    warnedAt: timestamp('warned_at', { withTimezone: true }),
    breachedAt: timestamp('breached_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.metric] }),
    // The sweep reads only clocks that are running and not yet breached, by due time: work proportional to
    // the clocks that are due, not to all tickets.
    index('sla_clocks_due_idx').on(t.dueAt).where(sql`${t.status} = 'running' and ${t.breachedAt} is null`),
    index('sla_clocks_warn_idx').on(t.warnAt).where(sql`${t.status} = 'running' and ${t.warnedAt} is null`),
    // "Breaching soon": every running clock by due time, breached ones too (they are overdue, still running).
    index('sla_clocks_running_due_idx').on(t.dueAt, t.ticketId).where(sql`${t.status} = 'running'`),
  ],
);
