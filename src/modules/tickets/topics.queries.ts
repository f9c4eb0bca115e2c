import { and, desc, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { tickets } from './tickets.schema.js';

/** A ticket as recurring-topic detection reads it: its subject's and first message's words, stemmed. */
export type TopicTicket = { id: string; number: number; subject: string; type: string | null; tags: string[]; createdAt: Date; subjectWords: string[] };

/**
 * Tickets created since `since` (merged ones left out), newest first, with their subject's lexemes: weight A of
 * the stored search vector, as ticket creation indexes it (no text parsing).
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
    })
    .from(tickets)
    .where(and(gte(tickets.createdAt, since), isNull(tickets.mergedIntoId)))
    .orderBy(desc(tickets.createdAt))
    .limit(cap);
  return rows;
}

/**
 * The first message's lexemes of these tickets (weight B of the search vector), with who asked: that weight also
 * holds the requester's name and address (ticket search finds people), so callers count a word once per requester.
 */
export async function firstMessageWords(ex: Executor, ids: string[]): Promise<Map<string, { requesterId: string; words: string[] }>> {
  if (!ids.length) return new Map();
  const rows = await ex
    .select({ id: tickets.id, requesterId: tickets.requesterId, words: sql<string[]>`tsvector_to_array(ts_filter(${tickets.searchVector}, '{b}'))` })
    .from(tickets)
    .where(inArray(tickets.id, ids));
  return new Map(rows.map((r) => [r.id, { requesterId: r.requesterId, words: r.words }]));
}
