import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { TicketRow } from './tickets.queries.js';
export { CHANNELS, type Channel } from './tickets.schema.js';
import { attachments, messages, ticketFollowers, tickets } from './tickets.schema.js';

/**
 * The reads (and the one stamp) channels need around the tickets they feed and answer from: threading an arriving
 * message, and what an outgoing reply is made of. Channels come here instead of reading tickets' tables.
 */

/** Who is writing, for "does this person take part in that ticket": requester, follower, or shared organisation. */
export type Participant = { userId: string; sharedOrganizationId: string | null };

/** The id, number and subject of a ticket (threading by number or token). */
export async function ticketRef(ex: Executor, by: { id: string } | { number: number }): Promise<{ id: string; number: number; subject: string } | undefined> {
  const [t] = await ex
    .select({ id: tickets.id, number: tickets.number, subject: tickets.subject })
    .from(tickets)
    .where('id' in by ? eq(tickets.id, by.id) : eq(tickets.number, by.number));
  return t;
}

export async function ticketRow(ex: Executor, id: string): Promise<TicketRow | undefined> {
  const [t] = await ex.select().from(tickets).where(eq(tickets.id, id));
  return t;
}

function takesPart(who: Participant) {
  return or(
    eq(tickets.requesterId, who.userId),
    sql`exists (select 1 from ${ticketFollowers} f where f.ticket_id = ${tickets.id} and f.user_id = ${who.userId})`,
    who.sharedOrganizationId ? eq(tickets.organizationId, who.sharedOrganizationId) : undefined,
  );
}

/** The first of `ids` (in the order given) whose ticket the person takes part in. */
export async function firstTakingPart(ex: Executor, ids: string[], who: Participant): Promise<string | undefined> {
  if (ids.length === 0) return undefined;
  const hits = new Set((await ex.select({ id: tickets.id }).from(tickets).where(and(inArray(tickets.id, ids), takesPart(who)))).map((r) => r.id));
  return ids.find((id) => hits.has(id));
}

/** The ticket with this number, if the person takes part in it (or `staff`: any). */
export async function ticketNumberFor(ex: Executor, number: number, who: Participant | undefined, staff: boolean): Promise<string | undefined> {
  if (!who && !staff) return undefined;
  const [t] = await ex
    .select({ id: tickets.id })
    .from(tickets)
    .where(and(eq(tickets.number, number), staff ? undefined : takesPart(who as Participant)));
  return t?.id;
}

/**
 * Stamps a message a channel just added with its id in that channel (email Message-ID, Slack ts, GitHub comment id)
 * and, for mail whose sender could not be verified, the flag the conversation shows. Runs in the command's own
 * transaction (the intake pipeline's `within`); belongs in the receive/create use cases once they take these.
 */
export async function stampMessage(tx: Executor, messageId: string, stamp: { externalId: string; senderUnverified: boolean }): Promise<void> {
  await tx
    .update(messages)
    .set({ externalId: stamp.externalId, ...(stamp.senderUnverified ? { senderUnverified: true } : {}) })
    .where(eq(messages.id, messageId));
}

/** What an agent's public reply is made of: the message, its ticket, who follows it, and its files. */
export async function replyParts(ex: Executor, messageId: string) {
  const [m] = await ex.select().from(messages).where(eq(messages.id, messageId));
  if (!m) return undefined;
  const ticket = await ticketRow(ex, m.ticketId);
  if (!ticket) return undefined;
  const followers = await ex.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, ticket.id));
  const files = await ex
    .select({ filename: attachments.filename, contentType: attachments.contentType, sha256: attachments.sha256, size: attachments.size })
    .from(attachments)
    .where(eq(attachments.messageId, m.id));
  return { message: m, ticket, followerIds: followers.map((f) => f.userId), files };
}
