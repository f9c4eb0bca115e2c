import { sql } from 'drizzle-orm';
import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { channelConnections } from '../channels/channels.schema.js';
import { groups, users } from '../people/people.schema.js';
import { messages, ticketTypes, tickets } from '../tickets/tickets.schema.js';

export type SelfHelpLink = { title: string; url: string };

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * The raw source of every message received or sent, by content hash. Kept in PostgreSQL rather than in files:
 * a message is stored durably by the same commit that records it (one flush, no file and row to keep in step),
 * and it is backed up with the rest. Attachments extracted from mail go to the file store like any upload.
 */
export const emailRaw = pgTable('email_raw', {
  sha256: text('sha256').primaryKey(),
  data: bytea('data').notNull(),
});

/** A support address Lifeline serves (support@, feedback@, hi@): where its mail goes and how it answers. */
export const emailAddresses = pgTable(
  'email_addresses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Stored lower-case; mail to any other address is refused.
    address: text('address').notNull(),
    // The sender name on outgoing mail ("Acme Support").
    name: text('name').notNull(),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'set null' }),
    type: text('type').references(() => ticketTypes.key, { onDelete: 'set null' }),
    // A priority key of the active scheme; null means the scheme's default.
    priority: text('priority'),
    autoReply: boolean('auto_reply').notNull().default(true),
    // Liquid templates; null means the built-in acknowledgement.
    autoReplySubject: text('auto_reply_subject'),
    autoReplyBody: text('auto_reply_body'),
    selfHelpLinks: jsonb('self_help_links').$type<SelfHelpLink[]>().notNull().default([]),
    // Tickets that did not arrive by email, and agent notifications, are sent from the default address.
    isDefault: boolean('is_default').notNull().default(false),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('email_addresses_address_uq').on(t.address)],
);

// IMAP mailboxes are channel connections (kind 'imap'): see channels/channels.schema.ts and addresses.service.ts.

export const INBOUND_STATUSES = ['received', 'processed', 'ignored', 'failed'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/**
 * Every message that reached Lifeline, stored raw before anything else happens. Processing turns it into a
 * ticket or message (processed), drops it for a stated reason (ignored), or keeps it with its error (failed).
 */
export const inboundEmails = pgTable(
  'inbound_emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source').$type<'smtp' | 'imap' | 'http'>().notNull(),
    // The IMAP connection (channel_connections, kind 'imap') it came through.
    mailboxId: uuid('mailbox_id').references(() => channelConnections.id, { onDelete: 'set null' }),
    addressId: uuid('address_id').references(() => emailAddresses.id, { onDelete: 'set null' }),
    envelopeFrom: text('envelope_from'),
    envelopeTo: text('envelope_to').array().notNull().default(sql`'{}'::text[]`),
    rawSha256: text('raw_sha256').notNull(),
    size: integer('size').notNull(),
    messageIdHeader: text('message_id_header'),
    subject: text('subject'),
    fromAddress: text('from_address'),
    // address + Message-ID, or address + content hash: the same message delivered twice is stored once.
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status').$type<InboundStatus>().notNull().default('received'),
    // What processing did: new_ticket, reply, follow_up, note, bounce, or why it was ignored.
    outcome: text('outcome'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('inbound_emails_dedupe_uq').on(t.dedupeKey),
    index('inbound_emails_status_idx').on(t.status, t.receivedAt),
    index('inbound_emails_message_idx').on(t.messageId),
    index('inbound_emails_ticket_idx').on(t.ticketId, t.receivedAt),
  ],
);

/** Message-IDs Lifeline received or sent for a ticket: a reply naming one of them threads onto that ticket. */
export const emailThreadIds = pgTable(
  'email_thread_ids',
  {
    messageIdHeader: text('message_id_header').primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('email_thread_ids_ticket_idx').on(t.ticketId, t.createdAt)],
);

// sign_in_link: the portal's emailed sign-in; password_reset: a reset link; survey: a satisfaction survey; digest: a
// scheduled report (none is threaded on a ticket).
export const OUTBOUND_KINDS = ['reply', 'auto_reply', 'notification', 'sign_in_link', 'password_reset', 'survey', 'digest'] as const;
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];
export type OutboundStatus = 'queued' | 'sent' | 'stored' | 'failed';

/**
 * Every message Lifeline sends. With no SMTP configured this table is the outbox (status `stored`); with SMTP it
 * is the sent log, with permanent failures kept and shown.
 */
export const outboundEmails = pgTable(
  'outbound_emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<OutboundKind>().notNull(),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    // The conversation message this email carries (agent replies).
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    addressId: uuid('address_id').references(() => emailAddresses.id, { onDelete: 'set null' }),
    fromAddress: text('from_address').notNull(),
    recipients: text('recipients').array().notNull(),
    // The first recipient, indexed: auto-replies per sender per hour are counted on it.
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    messageIdHeader: text('message_id_header').notNull(),
    inReplyTo: text('in_reply_to'),
    rawSha256: text('raw_sha256').notNull(),
    status: text('status').$type<OutboundStatus>().notNull().default('queued'),
    transport: text('transport').$type<'outbox' | 'smtp'>(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('outbound_emails_message_id_uq').on(t.messageIdHeader),
    index('outbound_emails_created_idx').on(t.createdAt, t.id),
    index('outbound_emails_to_idx').on(t.toAddress, t.kind, t.createdAt),
    index('outbound_emails_ticket_idx').on(t.ticketId, t.createdAt),
  ],
);

/** Recipients whose mail bounced: shown on their profile, cleared when they write in again. */
export const bouncingRecipients = pgTable('email_bouncing_recipients', {
  email: text('email').primaryKey(),
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  reason: text('reason').notNull(),
  bouncedAt: timestamp('bounced_at', { withTimezone: true }).notNull(),
});

/** Auto-replies per recipient in an hour-long window: the brake on mail loops, one row lock per sender. */
export const autoReplyCounters = pgTable('email_auto_reply_counters', {
  address: text('address').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull(),
});

/**
 * Random keys Lifeline makes for itself on first use (never configured): `reply_token` signs the per-recipient
 * reply addresses on mail to staff, which prove that a reply by mail comes from the person it was sent to.
 */
export const emailKeys = pgTable('email_keys', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
