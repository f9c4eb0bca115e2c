import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

import type { Role } from '../../platform/auth.js';

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    // Email domains whose senders are mapped to this organisation automatically.
    domains: text('domains').array().notNull().default(sql`'{}'::text[]`),
    notes: text('notes').notNull().default(''),
    // When true, customers of this organisation see each other's tickets.
    sharedTickets: boolean('shared_tickets').notNull().default(false),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('organizations_name_uq').on(sql`lower(${t.name})`), index('organizations_domains_idx').using('gin', t.domains)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<Role>().notNull(),
    passwordHash: text('password_hash'),
    organizationId: uuid('organization_id').references(() => organizations.id),
    // A supervisor of their organisation sees all its tickets (in the portal and the API), shared or not.
    organizationSupervisor: boolean('organization_supervisor').notNull().default(false),
    // Staff below admin: 'groups' sees only tickets of their groups, assigned to them or followed by them.
    ticketAccess: text('ticket_access').$type<'all' | 'groups'>().notNull().default('all'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_uq').on(sql`lower(${t.email})`), index('users_org_idx').on(t.organizationId)],
);

export const groups = pgTable(
  'groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // The next tier up (L1 → L2 → L3 → management, district → program).
    escalatesToId: uuid('escalates_to_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('groups_name_uq').on(sql`lower(${t.name})`)],
);

export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user_idx').on(t.userId)],
);

export const sessions = pgTable('sessions', {
  // sha256 of the cookie value: a leaked table does not leak live sessions.
  tokenHash: text('token_hash').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  scopes: text('scopes').array().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/**
 * Sign-in attempts per account and per client address in the current window, shared by every process. The key is
 * a hash (`account:<email>` / `address:<ip>`): people type passwords into the email field. A device's counter is
 * the account's key, '/', the device's hash, so a password reset clears an account's counters with one prefix.
 */
export const loginAttempts = pgTable('login_attempts', {
  keyHash: text('key_hash').primaryKey(),
  attempts: integer('attempts').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const IDENTITY_KINDS = ['email', 'slack', 'github', 'widget', 'phone'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/**
 * How a person is known on each channel: an email address, a Slack user id in a workspace, a GitHub login, a widget
 * visitor id on a site, a phone number. One identity belongs to one person; `scope` is the workspace or site (''
 * where the value is global, as for email), and values are stored normalised (email lower-case).
 */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<IdentityKind>().notNull(),
    scope: text('scope').notNull().default(''),
    value: text('value').notNull(),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contact_identities_uq').on(t.kind, t.scope, t.value), index('contact_identities_user_idx').on(t.userId)],
);

/** One line per merge of two people: who was folded into whom, by whom, and what moved. */
export const userMerges = pgTable('user_merges', {
  id: uuid('id').primaryKey().defaultRandom(),
  survivorId: uuid('survivor_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  // The deactivated duplicate (kept: its id is still named by old events and exports).
  mergedId: uuid('merged_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  mergedEmail: text('merged_email').notNull(),
  moved: jsonb('moved').$type<Record<string, number>>().notNull(),
  actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
