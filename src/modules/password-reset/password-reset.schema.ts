import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';

/**
 * Password reset links. Every request is a row, also for an address with no account (with no token), so the
 * per-address and per-client limits count the same whether the account exists or not. Only the token's SHA-256 is
 * stored. A link sets a password once (`used_at`), before `expires_at`; setting one uses up the person's other links.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    emailHash: text('email_hash').notNull(),
    clientHash: text('client_hash').notNull(),
    // The admin who sent it from the Users screen; null when the person asked for it themselves.
    sentById: uuid('sent_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('password_resets_token_uq').on(t.tokenHash).where(sql`${t.tokenHash} is not null`),
    index('password_resets_email_idx').on(t.emailHash, t.createdAt),
    index('password_resets_client_idx').on(t.clientHash, t.createdAt),
    index('password_resets_user_idx').on(t.userId),
  ],
);
