import { date, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { groups, users } from '../people/people.schema.js';

export const ASSIGNMENT_MODES = ['manual', 'triage', 'round_robin', 'least_open'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** How a group's new tickets get an assignee, and the zone its rota days are in. */
export const groupAssignment = pgTable('group_assignment', {
  groupId: uuid('group_id')
    .primaryKey()
    .references(() => groups.id, { onDelete: 'cascade' }),
  mode: text('mode').$type<AssignmentMode>().notNull().default('manual'),
  timeZone: text('time_zone').notNull().default('UTC'),
  // Round robin: who got the last one.
  lastUserId: uuid('last_user_id'),
});

/** Who is on triage for a group on a day (the Made Tech rota); a swap exchanges two days' agents. */
export const triageRota = pgTable(
  'triage_rota',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.day] })],
);

/** What one day's triage hands over to the next. */
export const handoverNotes = pgTable(
  'handover_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('handover_notes_group_day_idx').on(t.groupId, t.day)],
);

/** Agents who marked themselves away get no new tickets by rota or rotation. */
export const agentAway = pgTable('agent_away', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  until: timestamp('until', { withTimezone: true }),
});
