import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';

/**
 * Field changes a macro makes along with its text. `assigneeId` may be `current_user`: whoever applies it.
 * `null` clears a field (type, group, assignee; a custom field's value).
 */
export type MacroChanges = {
  status?: string;
  priority?: string;
  type?: string | null;
  groupId?: string | null;
  assigneeId?: string | null;
  addTags?: string[];
  removeTags?: string[];
  customFields?: Record<string, unknown>;
};

/** A response template: Liquid text for the composer, and optional field changes. Shared, or one agent's own. */
export const macros = pgTable(
  'macros',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    body: text('body').notNull(),
    // Whether the text goes out as a public reply (or an internal note).
    public: boolean('public').notNull().default(true),
    changes: jsonb('changes').$type<MacroChanges>().notNull().default({}),
    // null: shared with everyone; a user id: that agent's own.
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    // Where it sits in the composer's list (then by name); a deactivated macro is kept but not offered.
    position: integer('position').notNull().default(0),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('macros_owner_name_uq').on(sql`coalesce(${t.ownerId}::text, '')`, sql`lower(${t.name})`)],
);
