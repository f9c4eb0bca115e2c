import { sql } from 'drizzle-orm';
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from '../people/people.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * What a column means across boards: the epics board and every customer board share these, so a card moved to
 * "In progress" on one is in "In progress" on the other. A column with no role is the board's own.
 */
export const COLUMN_ROLES = ['new', 'up_next', 'in_progress', 'done'] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** A board: one per organisation (created on first use) and the one cross-customer epics board. */
export const boards = pgTable(
  'boards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<'customer' | 'epics'>().notNull(),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // Customers of the organisation may reorder "New issues" from the portal.
    customersReorder: boolean('customers_reorder').notNull().default(false),
    createdAt: at('created_at').notNull(),
  },
  (t) => [uniqueIndex('boards_org_uq').on(t.organizationId), uniqueIndex('boards_one_epics_uq').on(t.kind).where(sql`${t.kind} = 'epics'`)],
);

/** A column: ordered, optionally mapped to a ticket state (a ticket card moved here takes it), with a WIP limit. */
export const boardColumns = pgTable(
  'board_columns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    boardId: uuid('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    role: text('role').$type<ColumnRole>(),
    stateKey: text('state_key'),
    wipLimit: integer('wip_limit'),
    // Past the limit: 'refuse' the move (naming the limit) or 'warn' and allow it.
    wipMode: text('wip_mode').$type<'refuse' | 'warn'>().notNull().default('warn'),
  },
  (t) => [index('board_columns_board_idx').on(t.boardId, t.position)],
);

export type ChecklistItem = { text: string; done: boolean };

/**
 * A card: a ticket's (one card per ticket) or a free one. It lives on its home board (`boardId`: the
 * organisation's, or the epics board for triage-team items) in `columnId`; once it entered an "Up next" column it
 * is also on the epics board (`onEpics`), in the epics column of the same role: the same row, never a copy.
 * `version` orders moves: a move names the version it saw, and a later one that saw the same version gets 409.
 */
export const cards = pgTable(
  'cards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    boardId: uuid('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    columnId: uuid('column_id')
      .notNull()
      .references(() => boardColumns.id),
    position: doublePrecision('position').notNull(),
    epicsPosition: doublePrecision('epics_position').notNull().default(0),
    onEpics: boolean('on_epics').notNull().default(false),
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    ticketNumber: integer('ticket_number'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    checklist: jsonb('checklist').$type<ChecklistItem[]>().notNull().default([]),
    // The owner, or a pair: one or two people.
    ownerIds: uuid('owner_ids').array().notNull().default(sql`'{}'::uuid[]`),
    dueOn: date('due_on', { mode: 'string' }),
    estimateHours: doublePrecision('estimate_hours'),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    // The week's commitment: the Monday of the week it is scheduled into.
    week: date('week', { mode: 'string' }),
    // The epics board's "Triage team items" lane.
    triage: boolean('triage').notNull().default(false),
    completedAt: at('completed_at'),
    archivedAt: at('archived_at'),
    version: integer('version').notNull().default(1),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cards_ticket_uq').on(t.ticketId),
    index('cards_board_idx').on(t.boardId, t.columnId, t.position).where(sql`${t.archivedAt} is null`),
    index('cards_epics_idx').on(t.onEpics).where(sql`${t.onEpics} and ${t.archivedAt} is null`),
    index('cards_completed_idx').on(t.completedAt).where(sql`${t.archivedAt} is null`),
    index('cards_week_idx').on(t.week).where(sql`${t.week} is not null`),
  ],
);

/**
 * A comment on a free card. A ticket's card has none of its own: its comments are the ticket's notes and replies
 * (written through the ticket, shown on the card), so the two never drift apart.
 */
export const cardComments = pgTable(
  'card_comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    cardId: uuid('card_id')
      .notNull()
      .references(() => cards.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('card_comments_card_idx').on(t.cardId, t.createdAt)],
);

/** The week's commitment for a customer: a short goal for the week (the planning view), one per organisation and week. */
export const planningGoals = pgTable(
  'planning_goals',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // The Monday of the week.
    week: date('week', { mode: 'string' }).notNull(),
    goal: text('goal').notNull(),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.week] })],
);

/** Desk-wide board settings (one row, id 1, written on first change). */
export const boardSettings = pgTable('board_settings', {
  id: integer('id').primaryKey().default(1),
  // Backlogging a ticket also moves it to this state (null: leave the state alone).
  backlogStateKey: text('backlog_state_key'),
  archiveAfterDays: integer('archive_after_days').notNull().default(7),
  updatedAt: at('updated_at').notNull(),
});

/** A time entry: who, on what (ticket or card), for which customer, which day, how long. */
export const timeEntries = pgTable(
  'time_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    organizationId: uuid('organization_id').references(() => organizations.id),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    ticketNumber: integer('ticket_number'),
    cardId: uuid('card_id').references(() => cards.id, { onDelete: 'set null' }),
    workDate: date('work_date', { mode: 'string' }).notNull(),
    minutes: integer('minutes').notNull(),
    description: text('description').notNull().default(''),
    billable: boolean('billable').notNull().default(true),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('time_entries_user_day_idx').on(t.userId, t.workDate),
    index('time_entries_day_org_idx').on(t.workDate, t.organizationId),
    index('time_entries_ticket_idx').on(t.ticketId),
  ],
);

/** A person's running timer (at most one). */
export const timeTimers = pgTable('time_timers', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  startedAt: at('started_at').notNull(),
  organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
  ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
  cardId: uuid('card_id').references(() => cards.id, { onDelete: 'cascade' }),
  description: text('description').notNull().default(''),
});

/** Who tracks time, and when their day ends (the reminder comes then if nothing was logged). */
export const timePeople = pgTable('time_people', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  timeZone: text('time_zone').notNull().default('Europe/London'),
  endOfDay: text('end_of_day').notNull().default('17:30'),
  reminders: boolean('reminders').notNull().default(true),
  // Hours a week this person has for planned work (the planning view weighs the week's estimates against it).
  weeklyHours: doublePrecision('weekly_hours').notNull().default(30),
});

/** One reminder per person and day: the key makes it exactly once, whichever process runs the sweep. */
export const timeReminders = pgTable(
  'time_reminders',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    createdAt: at('created_at').notNull(),
    dismissedAt: at('dismissed_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/** Desk-wide time settings (one row, id 1): entries dated on or before `lockedThrough` can no longer change. */
export const timeSettings = pgTable('time_settings', {
  id: integer('id').primaryKey().default(1),
  lockedThrough: date('locked_through', { mode: 'string' }),
  updatedAt: at('updated_at').notNull(),
});
