import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../people/people.schema.js';
import { tickets } from '../tickets/tickets.schema.js';

export type CsatSettingsData = {
  /** Hours after a solve before the survey is sent. */
  delayHours: number;
  /** Days a sent survey may be answered. */
  validDays: number;
  /** The reasons offered after a bad rating. */
  reasons: string[];
};
export const csatSettings = pgTable('csat_settings', {
  id: integer('id').primaryKey().default(1),
  data: jsonb('data').$type<CsatSettingsData>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const SURVEY_STATUSES = ['scheduled', 'sent', 'answered', 'cancelled'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];

/**
 * One satisfaction survey per solve (`solve_event_id`, the status event that solved the ticket): scheduled at the
 * solve, sent after the delay, answerable until `expires_at`, cancelled by a reopen while unanswered.
 */
export const csatSurveys = pgTable(
  'csat_surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    requesterId: uuid('requester_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    solveEventId: bigint('solve_event_id', { mode: 'number' }).notNull(),
    status: text('status').$type<SurveyStatus>().notNull(),
    sendAt: timestamp('send_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    rating: text('rating').$type<'good' | 'bad'>(),
    comment: text('comment'),
    reason: text('reason'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    cancelledReason: text('cancelled_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('csat_surveys_solve_uq').on(t.solveEventId),
    index('csat_surveys_ticket_idx').on(t.ticketId, t.createdAt),
    index('csat_surveys_answered_idx').on(t.answeredAt),
    index('csat_surveys_sent_idx').on(t.sentAt),
  ],
);

/** Requesters who asked for no more surveys. */
export const csatOptOuts = pgTable('csat_opt_outs', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
