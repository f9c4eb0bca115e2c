import { type SQL, sql } from 'drizzle-orm';
import { csatSurveys } from './csat.schema.js';

/**
 * For reports: the surveys that were sent, one row per survey, as `cs (ticket_id, sent_at, answered_at, rating,
 * commented)`, joined on `ticketId` (the reporting row's ticket, an SQL expression) so report filters and ticket
 * visibility apply as to every other metric.
 */
export function sentSurveysJoin(ticketId: SQL): SQL {
  return sql`(select ${csatSurveys.ticketId} as ticket_id, ${csatSurveys.sentAt} as sent_at, ${csatSurveys.answeredAt} as answered_at, ${csatSurveys.rating} as rating,
                     coalesce(length(trim(${csatSurveys.comment})), 0) > 0 as commented
              from ${csatSurveys} where ${csatSurveys.sentAt} is not null) as cs on cs.ticket_id = ${ticketId}`;
}
