import { boolean, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
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
