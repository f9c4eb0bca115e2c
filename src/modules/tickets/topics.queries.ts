import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import { users } from '../people/people.schema.js';
import type { Executor } from '../../db/client.js';
import { tickets } from './tickets.schema.js';

/** A ticket as recurring-topic detection reads it: its subject's and first message's words, stemmed. */
export type TopicTicket = { id: string; number: number; subject: string; type: string | null; tags: string[]; createdAt: Date; subjectWords: string[]; bodyWords: string[] };

/**
 * Tickets created since `since` (merged ones left out), newest first, with the lexemes of their search vector:
 * weight A is the subject, weight B the first message, as ticket creation indexes them. Reading the stored vector costs no text parsing, so 100,000 tickets take about a second.
 */
export async function ticketsForTopics(ex: Executor, since: Date, cap: number): Promise<TopicTicket[]> {
  const rows = await ex
    .select({
      id: tickets.id,
      number: tickets.number,
      subject: tickets.subject,
      type: tickets.type,
      tags: tickets.tags,
      createdAt: tickets.createdAt,
      subjectWords: sql<string[]>`tsvector_to_array(ts_filter(${tickets.searchVector}, '{a}'))`,
      // Weight B also holds the requester's name and address (ticket search finds people): those words are taken out.
      bodyWords: sql<string[]>`tsvector_to_array(ts_delete(ts_filter(${tickets.searchVector}, '{b}'), tsvector_to_array(to_tsvector('english', ${users.name} || ' ' || ${users.email}))))`,
    })
    .from(tickets)
    .innerJoin(users, eq(users.id, tickets.requesterId))
    .where(and(gte(tickets.createdAt, since), isNull(tickets.mergedIntoId)))
    .orderBy(desc(tickets.createdAt))
    .limit(cap);
  return rows;
}
