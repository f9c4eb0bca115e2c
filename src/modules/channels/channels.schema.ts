import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const CHANNEL_KINDS = ['imap', 'slack', 'github', 'widget'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * active: in use (connected or not, with any transient error counted in failureCount);
 * failed: stopped for a reason retrying cannot fix (a secret that does not decrypt) until an admin changes it;
 * disabled: switched off by an admin.
 */
export const CONNECTION_STATUSES = ['active', 'failed', 'disabled'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/**
 * Every inbound channel connection (an IMAP mailbox today; a Slack workspace, GitHub repository, widget site next):
 * its non-secret configuration, its secrets sealed by platform/secrets.ts, where its sync stands, and its health.
 * `config`, `secrets` and `cursor` are shaped by the kind (see channels.service.ts for each kind's types).
 */
export const channelConnections = pgTable(
  'channel_connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<ChannelKind>().notNull(),
    name: text('name').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    // A Sealed value ({ v, kid, iv, tag, ct }); never plain text (a migrated row holds { plain } until start-up seals it).
    secrets: jsonb('secrets').$type<Record<string, unknown>>().notNull(),
    // Where the sync stands (IMAP: uidValidity and lastUid).
    cursor: jsonb('cursor').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<ConnectionStatus>().notNull().default('active'),
    // Live state of this connection in the process holding it (IMAP: connected to the server now).
    syncState: text('sync_state').$type<'connected' | 'idle'>().notNull().default('idle'),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
    failureCount: integer('failure_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('channel_connections_kind_idx').on(t.kind, t.createdAt)],
);
