import { sql } from 'drizzle-orm';
import { bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

/** The lifecycle of an incident; the first four are public (the status page shows them), the last two internal. */
export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved', 'pending_retro', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** A component's condition, in Atlassian Statuspage's words (so its v2 JSON reads the same), worst last. */
export const COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** What may be written on the timeline by hand; the rest is written by the commands themselves. */
export const TIMELINE_KINDS = ['declared', 'note', 'decision', 'action', 'role_change', 'status_update', 'state_change', 'ticket_linked', 'ticket_unlinked', 'summary_changed', 'reminder', 'late'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/**
 * Desk-wide incident settings (one row, id 1): how many of the active priority scheme's top levels are incident
 * severities, each severity's update cadence, how long before an update is due the lead is reminded, and the name
 * the public status page carries.
 */
export type IncidentSettingsData = {
  severityLevels: number;
  /** Minutes between status updates, by severity level: [0] for the top priority, [1] the next, … */
  cadenceMinutes: number[];
  remindBeforeMinutes: number;
  statusPageTitle: string;
  /** Webhooks (of the webhooks module) that receive incident.* and maintenance.* events; none when unset. */
  webhookIds?: string[];
  /** A ticket state linked tickets wait in while the incident is active (back to where they were on resolve); unset: left alone. */
  linkedTicketState?: string | null;
  /** The state the origin ticket moves to when the incident resolves (CommCare's "Pending Retro"); unset: left alone. */
  originTicketStateOnResolve?: string | null;
  /**
   * Solving linked tickets with the resolution notice asks each requester to confirm the fix: the notice ends with
   * the question and the ticket waits as pending (a reply reopens it) instead of being solved.
   */
  confirmFixOnResolve?: boolean;
  /** Ticket priorities (incident severities) that declare an incident from the ticket automatically (auto-declare.ts). */
  autoDeclarePriorities?: string[];
  /** The status update composer's starting text per state; unset states use the built-in ones (UPDATE_TEMPLATES). */
  updateTemplates?: Partial<Record<'investigating' | 'identified' | 'monitoring' | 'resolved', string>>;
};
export const incidentSettings = pgTable('incident_settings', {
  id: integer('id').primaryKey().default(1),
  data: jsonb('data').$type<IncidentSettingsData>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/**
 * The organisation's logo on the public status page (one row, id 1): a small raster image (PNG, JPEG, GIF or WebP,
 * never SVG: it can carry script), served from memory with the page's rendering at /status/logo.
 */
export const statusPageLogo = pgTable('status_page_logo', {
  id: integer('id').primaryKey().default(1),
  contentType: text('content_type').notNull(),
  data: bytea('data').notNull(),
  sha256: text('sha256').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** The roles an incident can staff; the lead role (exactly one row with `lead`) always exists. */
export const incidentRoles = pgTable(
  'incident_roles',
  {
    key: text('key').primaryKey(),
    name: text('name').notNull(),
    position: integer('position').notNull().default(0),
    lead: boolean('lead').notNull().default(false),
  },
  (t) => [uniqueIndex('incident_roles_one_lead_uq').on(t.lead).where(sql`${t.lead}`)],
);

/** What the status page lists: a service customers depend on, in a group, with its own status when no incident sets one. */
export const statusComponents = pgTable(
  'status_components',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    groupName: text('group_name'),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    status: text('status').$type<ComponentStatus>().notNull().default('operational'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('status_components_name_uq').on(sql`lower(${t.name})`)],
);

export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: serial('number').notNull().unique(),
    // The agents' name for it (declared from a ticket, often that ticket's subject): never shown publicly.
    title: text('title').notNull(),
    // What the status page, its feeds and JSON, subscriber mail and linked tickets' notices call it.
    publicTitle: text('public_title').notNull().default('Service disruption'),
    // A priority key of the active scheme's top levels (P1, P2 on CommCare's; P0, P1 on PMERIT's).
    severity: text('severity').notNull(),
    state: text('state').$type<IncidentState>().notNull().default('investigating'),
    // The ticket it was declared from, if any.
    originTicketId: uuid('origin_ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    impact: text('impact').notNull().default(''),
    currentTheory: text('current_theory').notNull().default(''),
    nextSteps: text('next_steps').notNull().default(''),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    detectedAt: timestamp('detected_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    mitigatedAt: timestamp('mitigated_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    // The status-update promise: when the next one is due, whether the lead was reminded for it, when it went late.
    nextUpdateDueAt: timestamp('next_update_due_at', { withTimezone: true }),
    remindedForDueAt: timestamp('reminded_for_due_at', { withTimezone: true }),
    lateSince: timestamp('late_since', { withTimezone: true }),
    declaredById: uuid('declared_by_id').references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incidents_state_idx').on(t.state), index('incidents_due_idx').on(t.nextUpdateDueAt)],
);

/** The components an incident affects, and how badly (what the status page shows for them while it is open). */
export const incidentComponents = pgTable(
  'incident_components',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id')
      .notNull()
      .references(() => statusComponents.id, { onDelete: 'cascade' }),
    status: text('status').$type<ComponentStatus>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.componentId] })],
);

/** Who holds which role; a role change is also a timeline entry. */
export const incidentRoleAssignments = pgTable(
  'incident_role_assignments',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    roleKey: text('role_key')
      .notNull()
      .references(() => incidentRoles.key, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.roleKey] })],
);

/** The live incident document: every note, decision, action and change, by whom and when; internal, never public. */
export const incidentTimeline = pgTable(
  'incident_timeline',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<TimelineKind>().notNull(),
    body: text('body').notNull().default(''),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    // null: Lifeline itself (a reminder, a late mark).
    actorId: uuid('actor_id').references(() => users.id),
    pinned: boolean('pinned').notNull().default(false),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incident_timeline_incident_idx').on(t.incidentId, t.id)],
);

/** A status update: the public text the status page shows, the state it set, an optional ETA. */
export const incidentUpdates = pgTable(
  'incident_updates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    state: text('state').$type<IncidentState>().notNull(),
    body: text('body').notNull(),
    eta: timestamp('eta', { withTimezone: true }),
    notifyCustomers: boolean('notify_customers').notNull().default(false),
    notifySubscribers: boolean('notify_subscribers').notNull().default(false),
    authorId: uuid('author_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('incident_updates_incident_idx').on(t.incidentId, t.at)],
);

/** Customer tickets tied to an incident. */
export const incidentTickets = pgTable(
  'incident_tickets',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    linkedById: uuid('linked_by_id').references(() => users.id),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
    // The ticket's state before the incident held it in `linkedTicketState` (null: not held), to go back to on resolve.
    heldFrom: text('held_from'),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.ticketId] }), index('incident_tickets_ticket_idx').on(t.ticketId)],
);

/**
 * One row per notice a linked ticket received (an update's public reply, the resolution notice): written in the
 * same transaction as the reply, so a retried job never replies twice.
 */
export const incidentNotices = pgTable(
  'incident_notices',
  {
    key: text('key').primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
);

/**
 * A retro's action item. `id` is stable across saves (the screen and `PATCH …/action-items/:itemId` name it);
 * `remindedFor` is the latest due date its owner was reminded of when it passed, `remindedAt` when (ISO instant): the
 * reminder goes once per due date, a due date moved later than `remindedFor` re-arms it (moving it between past
 * dates does not), never twice within 24 h, and marking it done ends it. Set by the server only.
 */
export type ActionItem = { id: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean; remindedFor: string | null; remindedAt?: string | null };

/**
 * The retrospective of a resolved incident (CommCare's five whys, PMERIT's post-mortem within 48 hours): written
 * while the incident is resolved or pending retro; closing the incident needs it done, or skipped with a reason.
 */
export const incidentRetros = pgTable('incident_retros', {
  incidentId: uuid('incident_id')
    .primaryKey()
    .references(() => incidents.id, { onDelete: 'cascade' }),
  status: text('status').$type<'draft' | 'done' | 'skipped'>().notNull().default('draft'),
  skipReason: text('skip_reason'),
  summary: text('summary').notNull().default(''),
  rootCause: text('root_cause').notNull().default(''),
  whys: jsonb('whys').$type<string[]>().notNull().default([]),
  wentWell: text('went_well').notNull().default(''),
  wentBadly: text('went_badly').notNull().default(''),
  actionItems: jsonb('action_items').$type<ActionItem[]>().notNull().default([]),
  dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  remindedAt: timestamp('reminded_at', { withTimezone: true }),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

// ---- status-page email subscribers (docs/incidents.md, "Subscribers")

export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'bounced'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/**
 * Someone who asked for status-page mail. Nothing is sent before they confirm (double opt-in): `confirmNonce` is the
 * single-use part of the confirmation link, cleared when it is used. A hard bounce, or `SOFT_BOUNCE_LIMIT` soft
 * ones in a row, stops all mail to the address (status `bounced`).
 */
export const statusSubscribers = pgTable(
  'status_subscribers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    status: text('status').$type<SubscriberStatus>().notNull().default('pending'),
    // true: every component, including ones added later; false: only those in status_subscriber_components.
    allComponents: boolean('all_components').notNull().default(true),
    confirmNonce: text('confirm_nonce'),
    confirmSentAt: timestamp('confirm_sent_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    softBounces: integer('soft_bounces').notNull().default(0),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    bounceReason: text('bounce_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('status_subscribers_email_uq').on(sql`lower(${t.email})`), index('status_subscribers_status_idx').on(t.status, t.id)],
);

export const statusSubscriberComponents = pgTable(
  'status_subscriber_components',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => statusSubscribers.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id')
      .notNull()
      .references(() => statusComponents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.componentId] }), index('status_subscriber_components_component_idx').on(t.componentId)],
);

/**
 * One notice to subscribers (an incident update, a maintenance announced or started): written with its cause, fanned
 * out once by a job (`fannedOutAt`), which writes the ledger below and the batch jobs in one transaction.
 */
export const statusNotices = pgTable('status_notices', {
  key: text('key').primaryKey(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  // The components it concerns; empty: every subscriber.
  componentIds: jsonb('component_ids').$type<string[]>().notNull().default([]),
  recipients: integer('recipients'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }),
});

/** The ledger: one row per (notice, subscriber), so a replayed fan-out or batch never mails anyone twice. */
export const statusDeliveries = pgTable(
  'status_deliveries',
  {
    noticeKey: text('notice_key')
      .notNull()
      .references(() => statusNotices.key, { onDelete: 'cascade' }),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => statusSubscribers.id, { onDelete: 'cascade' }),
    batch: integer('batch').notNull(),
    // queued → sending (claimed, committed before the relay is called) → sent; see SubscribersService.sendBatch.
    status: text('status').$type<'queued' | 'sending' | 'sent' | 'skipped' | 'failed'>().notNull().default('queued'),
    // How many times the row was claimed for sending: a claim left in `sending` (a crash) is taken over once.
    claims: integer('claims').notNull().default(0),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    error: text('error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.noticeKey, t.subscriberId] }), index('status_deliveries_batch_idx').on(t.noticeKey, t.batch)],
);

/** Subscribe attempts counted per IP and per address in fixed windows (the rate limit, across processes). */
export const statusSubscribeAttempts = pgTable(
  'status_subscribe_attempts',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

// ---- scheduled maintenance

export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

/** A planned window: its components show "under maintenance" while it is in progress (moved by a schedule). */
export const statusMaintenances = pgTable(
  'status_maintenances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').$type<MaintenanceStatus>().notNull().default('scheduled'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    notifySubscribers: boolean('notify_subscribers').notNull().default(false),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdById: uuid('created_by_id').references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('status_maintenances_status_idx').on(t.status, t.startsAt)],
);

export const statusMaintenanceComponents = pgTable(
  'status_maintenance_components',
  {
    maintenanceId: uuid('maintenance_id')
      .notNull()
      .references(() => statusMaintenances.id, { onDelete: 'cascade' }),
    componentId: uuid('component_id')
      .notNull()
      .references(() => statusComponents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.maintenanceId, t.componentId] })],
);
