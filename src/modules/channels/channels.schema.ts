import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { type Channel, messages, tickets } from '../tickets/tickets.schema.js';

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

/**
 * The intake ledger: one row per message a channel handed to the intake pipeline (channels/intake.service.ts). The
 * unique (source, external_id) is the dedupe — source is the connection, or the channel when it has none — so a
 * redelivery, a replay after a crash or a second process finds the first row instead of a second ticket.
 * `external_thread` is the channel's conversation (a Slack thread ts, a GitHub issue): the next message in it
 * threads onto the same ticket.
 */
export const channelMessages = pgTable(
  'channel_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').$type<Channel>().notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    externalThread: text('external_thread'),
    connectionId: uuid('connection_id').references(() => channelConnections.id, { onDelete: 'set null' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('channel_messages_source_external_uq').on(t.source, t.externalId),
    index('channel_messages_thread_idx').on(t.source, t.externalThread, t.createdAt).where(sql`${t.externalThread} is not null`),
    index('channel_messages_ticket_idx').on(t.ticketId, t.createdAt),
  ],
);

export const REPLY_STATUSES = ['handed_over', 'no_deliverer'] as const;
export type ReplyStatus = (typeof REPLY_STATUSES)[number];

/**
 * What became of each agent's public reply (channels/replies.service.ts): handed over to the deliverer of the ticket's channel,
 * or kept here as `no_deliverer` when that channel has none (the reply stays on the ticket; nothing is sent).
 */
export const channelReplies = pgTable('channel_replies', {
  messageId: uuid('message_id')
    .primaryKey()
    .references(() => messages.id, { onDelete: 'cascade' }),
  ticketId: uuid('ticket_id')
    .notNull()
    .references(() => tickets.id, { onDelete: 'cascade' }),
  channel: text('channel').$type<Channel>().notNull(),
  status: text('status').$type<ReplyStatus>().notNull(),
  detail: text('detail'),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
