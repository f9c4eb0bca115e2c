import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { groups, users } from '../people/people.schema.js';
import type { Condition } from '../rules/conditions.js';

/** A saved queue: a condition over tickets, the columns and order it shows. One agent's own, or shared with a group. */
export const views = pgTable(
  'views',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Shared with this group's members; null: only the owner sees it.
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'set null' }),
    condition: jsonb('condition').$type<Condition>().notNull(),
    columns: text('columns').array().notNull(),
    sort: text('sort').$type<'created' | 'updated' | 'priority'>().notNull().default('updated'),
    sortOrder: text('sort_order').$type<'asc' | 'desc'>().notNull().default('desc'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('views_owner_name_uq').on(t.ownerId, sql`lower(${t.name})`), index('views_group_idx').on(t.groupId)],
);
