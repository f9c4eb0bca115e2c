import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { TicketRow } from './tickets.queries.js';
import { messages, tickets } from './tickets.schema.js';

/** What the SLA clocks read of tickets and messages (sla/sla.service.ts keeps the clocks; tickets own the rows). */

/** The tickets with these ids (the SLA sweep's stamped clocks' tickets). */
export async function ticketsByIds(ex: Executor, ids: string[]): Promise<TicketRow[]> {
  if (ids.length === 0) return [];
  return ex.select().from(tickets).where(inArray(tickets.id, ids));
}

/** Whether a message came in (from the requester's side) or went out (an agent's reply). */
export async function messageDirection(ex: Executor, messageId: string): Promise<'inbound' | 'outbound' | 'internal' | undefined> {
  const [m] = await ex.select({ direction: messages.direction }).from(messages).where(eq(messages.id, messageId));
  return m?.direction;
}

/** Whether an agent has answered the ticket publicly (first response is then met). */
export async function hasPublicAgentReply(ex: Executor, ticketId: string): Promise<boolean> {
  const [answered] = await ex
    .select({ id: messages.id })
    .from(messages)
    .where(sql`${messages.ticketId} = ${ticketId} and ${messages.direction} = 'outbound' and ${messages.public}`)
    .limit(1);
  return !!answered;
}
