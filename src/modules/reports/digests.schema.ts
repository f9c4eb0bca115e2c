import { date, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';

export const DIGEST_KINDS = ['daily', 'weekly', 'monthly'] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];

/**
 * Who receives which digest, for which groups, at what local time in which time zone (docs/metrics.md, Digests).
 * One row per (recipient, digest); `updated_at` matters: a digest is never sent for a slot that was already past
 * when the row was last saved (subscribing at 10:00 to an 08:00 digest starts tomorrow).
 */
export const digestSubscriptions = pgTable(
  'digest_subscriptions',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DigestKind>().notNull(),
    // 'HH:MM', local to time_zone.
    localTime: text('local_time').notNull(),
    timeZone: text('time_zone').notNull(),
    // The weekly digest's day, 1 = Monday … 7 = Sunday (ISO); the monthly one goes on the 1st.
    weekday: integer('weekday').notNull().default(5),
    // Empty: every ticket the recipient may see.
    groupIds: uuid('group_ids').array().notNull().default([]),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** One row per digest sent: the key that makes it exactly once per (recipient, digest, local date). */
export const digestSends = pgTable(
  'digest_sends',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DigestKind>().notNull(),
    localDate: date('local_date').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.localDate] })],
);
