import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { RuleAction } from '../rules/actions.js';
import type { Condition } from '../rules/conditions.js';
import { businessCalendars } from '../sla/sla.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

/** A stored action: the type the rules' zod schema (`ActionSchema`) checks, not a second hand-written union. */
export type AutomationAction = RuleAction;

/** A time-based rule: tickets matching its condition (hours since …) get its actions, once each. */
export const automations = pgTable(
  'automations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    active: boolean('active').notNull().default(true),
    condition: jsonb('condition').$type<Condition>().notNull(),
    actions: jsonb('actions').$type<AutomationAction[]>().notNull(),
    // Count "hours since" in this calendar's business hours ("3 business days"); null: calendar hours.
    calendarId: uuid('calendar_id').references(() => businessCalendars.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('automations_name_uq').on(sql`lower(${t.name})`)],
);

/**
 * Which version of a ticket each automation last fired on. A rule fires on a ticket at most once until the
 * ticket changes again (its version moves past the one recorded); the claim is made in the transaction that runs
 * the actions, under the ticket's row lock, so two processes sweeping at once fire it once.
 */
export const automationRuns = pgTable(
  'automation_runs',
  {
    automationId: uuid('automation_id')
      .notNull()
      .references(() => automations.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    ticketVersion: integer('ticket_version').notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.automationId, t.ticketId] })],
);
