import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { groups, organizations, users } from '../people/people.schema.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const STATE_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'merged'] as const;
export type StateCategory = (typeof STATE_CATEGORIES)[number];

export const CHANNELS = ['email', 'web', 'api', 'phone', 'slack', 'github', 'widget', 'portal', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LINK_KINDS = ['related', 'duplicate_of', 'caused_by', 'external'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** A ticket state: data over a fixed category (Zammad's Ticket::State). */
export const ticketStates = pgTable('ticket_states', {
  key: text('key').primaryKey(),
  label: text('label').notNull(),
  category: text('category').$type<StateCategory>().notNull(),
  pausesSla: boolean('pauses_sla').notNull(),
  // The state a requester's reply moves the ticket to (e.g. pending → open).
  onRequesterReply: text('on_requester_reply').notNull(),
  position: integer('position').notNull(),
  builtin: boolean('builtin').notNull().default(false),
});

export const prioritySchemes = pgTable('priority_schemes', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  active: boolean('active').notNull().default(false),
});

export const priorities = pgTable(
  'priorities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schemeKey: text('scheme_key')
      .notNull()
      .references(() => prioritySchemes.key, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    // 0 is the most urgent; queues sort on it.
    rank: integer('rank').notNull(),
    definition: text('definition').notNull(),
    examples: text('examples').array().notNull().default(sql`'{}'::text[]`),
    expectedResponse: text('expected_response').notNull().default(''),
    color: text('color').notNull().default('#888888'),
    isDefault: boolean('is_default').notNull().default(false),
  },
  (t) => [uniqueIndex('priorities_scheme_key_uq').on(t.schemeKey, t.key)],
);

export const ticketTypes = pgTable('ticket_types', {
  key: text('key').primaryKey(),
  label: text('label').notNull(),
  position: integer('position').notNull(),
  active: boolean('active').notNull().default(true),
});

/** How tickets behave desk-wide (one row, id 1; no row means the defaults), edited in Admin → Ticket settings. */
export const ticketSettings = pgTable('ticket_settings', {
  id: integer('id').primaryKey().default(1),
  // An agent's public reply on an unassigned ticket makes them its assignee (as Zendesk does by default).
  replyAssigns: boolean('reply_assigns').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ticketNumbers = pgSequence('ticket_number_seq', { startWith: 1001 });

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: bigint('number', { mode: 'number' })
      .notNull()
      .default(sql`nextval('ticket_number_seq')`),
    subject: text('subject').notNull(),
    status: text('status')
      .notNull()
      .references(() => ticketStates.key),
    // Denormalised from the state so queues filter on an index without a join.
    statusCategory: text('status_category').$type<StateCategory>().notNull(),
    priorityId: uuid('priority_id')
      .notNull()
      .references(() => priorities.id),
    // Denormalised from the priority so "by priority then age" is one index scan.
    priorityRank: integer('priority_rank').notNull(),
    type: text('type').references(() => ticketTypes.key),
    requesterId: uuid('requester_id')
      .notNull()
      .references(() => users.id),
    organizationId: uuid('organization_id').references(() => organizations.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    groupId: uuid('group_id').references(() => groups.id),
    // Groups that escalated the ticket up a tier: their restricted agents keep seeing it (docs/security.md).
    escalatedFromGroupIds: uuid('escalated_from_group_ids').array().notNull().default(sql`'{}'::uuid[]`),
    channel: text('channel').$type<Channel>().notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    productArea: text('product_area'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    mergedIntoId: uuid('merged_into_id'),
    followUpOfId: uuid('follow_up_of_id'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    solvedAt: timestamp('solved_at', { withTimezone: true }),
    // When the state last changed, and when the requester last wrote: what automations measure time from.
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
    requesterRepliedAt: timestamp('requester_replied_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    searchVector: tsvector('search_vector').notNull(),
  },
  (t) => [
    uniqueIndex('tickets_number_uq').on(t.number),
    index('tickets_queue_idx').on(t.groupId, t.statusCategory, t.priorityRank, t.createdAt, t.id),
    index('tickets_assignee_idx').on(t.assigneeId, t.statusCategory, t.priorityRank, t.createdAt),
    index('tickets_requester_idx').on(t.requesterId, t.createdAt),
    index('tickets_org_idx').on(t.organizationId, t.createdAt),
    index('tickets_status_created_idx').on(t.statusCategory, t.createdAt, t.id),
    index('tickets_created_idx').on(t.createdAt, t.id),
    index('tickets_updated_idx').on(t.updatedAt, t.id),
    // The triage queue and other unsolved views "by priority then age", across groups: walked in order.
    index('tickets_unsolved_priority_idx').on(t.priorityRank, t.createdAt, t.id).where(sql`${t.statusCategory} in ('new', 'open', 'pending', 'on_hold')`),
    // "Recently solved".
    index('tickets_solved_at_idx').on(t.solvedAt).where(sql`${t.statusCategory} = 'solved'`),
    // Typo tolerance: a search whose words match nothing retries on subjects by trigram similarity ("synk" → "sync").
    index('tickets_subject_trgm_idx').using('gin', sql`${t.subject} gin_trgm_ops`),
    // Text, tags and the common filters in one GIN (btree_gin), so `priority:P1 login` intersects inside the index
    // instead of reading every "login" ticket from the heap.
    index('tickets_search_filters_idx').using('gin', t.searchVector, t.tags, t.statusCategory, t.priorityId, t.groupId, t.assigneeId, t.organizationId),
  ],
);

export const ticketFollowers = pgTable(
  'ticket_followers',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.userId] }), index('ticket_followers_user_idx').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id),
    // false = internal note, never shown to customers.
    public: boolean('public').notNull(),
    direction: text('direction').$type<'inbound' | 'outbound' | 'internal'>().notNull(),
    channel: text('channel').$type<Channel>().notNull(),
    bodyText: text('body_text').notNull(),
    bodyHtml: text('body_html').notNull(),
    // Channel id of the message: email Message-ID, Slack ts, GitHub comment id.
    externalId: text('external_id'),
    // Mail whose sender Lifeline could not verify (a staff From: without proof, or failed DMARC): shown as such.
    senderUnverified: boolean('sender_unverified').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('messages_ticket_idx').on(t.ticketId, t.createdAt)],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Content address: the file on disk is named by this hash.
    sha256: text('sha256').notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('attachments_message_idx').on(t.messageId)],
);

/** Append-only history: the audit trail and the input of SLAs, automations, metrics and live updates. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id'),
    // Who made it: a person (actor_id), a rule (actor_name is its name), a channel (its name) or the system.
    // Null on rows written before the typed stream.
    actorType: text('actor_type').$type<'person' | 'rule' | 'channel' | 'system'>(),
    actorName: text('actor_name'),
    kind: text('kind').notNull(),
    field: text('field'),
    fromValue: jsonb('from_value'),
    toValue: jsonb('to_value'),
    // Events customers may see (not internal notes).
    public: boolean('public').notNull().default(true),
    at: timestamp('at', { withTimezone: true }).notNull(),
    // The ticket's version after the change: "what changed since version n" for a client that had n.
    ticketVersion: integer('ticket_version'),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.id), index('ticket_events_at_idx').on(t.at)],
);

export const ticketLinks = pgTable(
  'ticket_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<LinkKind>().notNull(),
    targetTicketId: uuid('target_ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    url: text('url'),
    title: text('title'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('ticket_links_ticket_idx').on(t.ticketId), index('ticket_links_target_idx').on(t.targetTicketId)],
);
