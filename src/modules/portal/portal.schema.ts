import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

/**
 * Emailed sign-in links for the customer portal. Every request is a row (also for an address with no account, with
 * no token), so the per-address and per-client limits count the same whether the account exists or not. The token
 * itself is never stored: only its SHA-256. A link is redeemed once (`used_at`), before `expires_at`.
 */
export const portalSignInLinks = pgTable(
  'portal_sign_in_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    emailHash: text('email_hash').notNull(),
    clientHash: text('client_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('portal_sign_in_links_token_uq').on(t.tokenHash).where(sql`${t.tokenHash} is not null`),
    index('portal_sign_in_links_email_idx').on(t.emailHash, t.createdAt),
    index('portal_sign_in_links_client_idx').on(t.clientHash, t.createdAt),
  ],
);

/** What customers see, chosen by admins (one row, id 1): the words for each state and the new-request form. */
export type PortalSettingsData = {
  /** State key → what the customer reads ("🟡 We are working on it"); a state with none falls back to its category's. */
  labels: Record<string, string>;
  /** Ticket types the customer may pick (none: the form has no type field). */
  types: string[];
  /** Ticket custom fields (keys) shown on the form. */
  customFields: string[];
  /** Whether the form takes attachments. */
  attachments: boolean;
};
export const portalSettings = pgTable('portal_settings', {
  id: integer('id').primaryKey().default(1),
  data: jsonb('data').$type<PortalSettingsData>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** A customer's answer to "fix provided — awaiting confirmation": confirmed (solved) or not fixed (reopened). */
export const portalConfirmations = pgTable(
  'portal_confirmations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    outcome: text('outcome').$type<'confirmed' | 'not_fixed'>().notNull(),
    comment: text('comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('portal_confirmations_ticket_idx').on(t.ticketId, t.createdAt)],
);
