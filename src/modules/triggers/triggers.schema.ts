import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AutomationAction } from '../automations/automations.schema.js';
import type { Condition } from '../rules/conditions.js';

// sla_warning / sla_breached / sla_met: an SLA clock reached its warning time or its deadline, or its target was met
// in time (`sla.metric` names it).
export const TRIGGER_EVENTS = ['created', 'updated', 'message', 'sla_warning', 'sla_breached', 'sla_met', 'satisfaction_bad'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/** An event-driven rule: when a ticket is created, updated, gets a message or an SLA clock warns, breaches or is met, and the condition holds, act. */
export const triggers = pgTable(
  'triggers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    active: boolean('active').notNull().default(true),
    events: text('events').array().$type<TriggerEvent[]>().notNull(),
    condition: jsonb('condition').$type<Condition>().notNull(),
    actions: jsonb('actions').$type<AutomationAction[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('triggers_name_uq').on(sql`lower(${t.name})`)],
);
