import { and, eq, isNull, like } from 'drizzle-orm';
import type { Executor, Tx } from '../../../db/client.js';
import { AppError } from '../../../platform/errors.js';
import type { TicketRow } from '../tickets.queries.js';
import { messages, ticketFollowers } from '../tickets.schema.js';
import type { TicketDeps } from './command.js';
import { appendMessage, renderBody } from './messages.js';

// A ticket's customer followers are capped (MAX_CUSTOMER_FOLLOWERS): each one gets a stored copy of every public
// reply, attachments included, so a customer who Cc'd many people would make every reply cost that many copies.
// Staff followers are not counted: the desk chooses them, and there are only so many.

/** The first line of the internal note that says a ticket reached its limit; written once per ticket. */
const LIMIT_NOTE = 'Follower limit reached';

export type CappedFollowers = { kept: string[]; leftOut: string[] };

/**
 * The followers to add to a ticket (`ticketId` null: a new one) so that it has at most the limit of customer
 * followers: staff and people already following are kept, new customers in order until the limit; `leftOut` are
 * the emails of the rest. `strict` (the API and the app) refuses instead, with FOLLOWER_LIMIT, changing nothing.
 */
export async function capFollowers(d: TicketDeps, ex: Executor, ticketId: string | null, ids: string[], strict: boolean): Promise<CappedFollowers> {
  const limit = d.ctx.config.maxCustomerFollowers;
  if (!ids.length) return { kept: [], leftOut: [] };
  const current = ticketId ? (await ex.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, ticketId))).map((f) => f.userId) : [];
  const people = await d.people.getUsers([...new Set([...current, ...ids])], ex);
  const customer = new Set(people.filter((p) => p.role === 'customer').map((p) => p.id));
  let count = current.filter((id) => customer.has(id)).length;
  const kept: string[] = [];
  const leftOut: string[] = [];
  for (const id of new Set(ids)) {
    if (!customer.has(id) || current.includes(id)) kept.push(id);
    else if (count < limit) {
      kept.push(id);
      count++;
    } else leftOut.push(people.find((p) => p.id === id)?.email ?? id);
  }
  if (leftOut.length && strict) throw limitError(limit, leftOut);
  return { kept, leftOut };
}

/** The API's check of a whole new follower list (PATCH): more customers than the limit is refused, unless it only shrinks. */
export async function checkFollowerList(d: TicketDeps, ex: Executor, before: string[], after: string[]): Promise<void> {
  const limit = d.ctx.config.maxCustomerFollowers;
  const customers = (await d.people.getUsers(after, ex)).filter((p) => p.role === 'customer');
  // A ticket over the limit from before it was set (or lowered) may still lose followers.
  if (customers.length > limit && customers.some((p) => !before.includes(p.id))) throw limitError(limit, customers.slice(limit).map((p) => p.email));
}

function limitError(limit: number, leftOut: string[]): AppError {
  return new AppError('FOLLOWER_LIMIT', `A ticket can have at most ${limit} customer followers (MAX_CUSTOMER_FOLLOWERS); remove some first, or leave out: ${leftOut.join(', ')}`, {
    fields: [{ path: 'followerIds', message: `at most ${limit} customer followers` }],
    extra: { limit, leftOut },
  });
}

/**
 * Tells the ticket's agents, in an internal note, that addresses were not added as followers — once per ticket: a
 * customer who keeps Cc'ing the same people on every reply must not add a note each time.
 */
export async function noteFollowersLeftOut(d: TicketDeps, tx: Tx, t: TicketRow, leftOut: string[]): Promise<TicketRow> {
  if (!leftOut.length) return t;
  const [said] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.ticketId, t.id), isNull(messages.authorId), eq(messages.direction, 'internal'), like(messages.bodyText, `${LIMIT_NOTE}%`)))
    .limit(1);
  if (said) return t;
  const limit = d.ctx.config.maxCustomerFollowers;
  const text = `${LIMIT_NOTE}: this ticket has its limit of ${limit} customer followers, so these addresses were not added and get no replies: ${leftOut.join(', ')}. Addresses copied later are left out too, without another note; an agent may swap followers in the ticket's details.`;
  const added = await appendMessage(d, tx, null, t, { public: false, direction: 'internal', channel: 'api', body: renderBody(text, 'text'), attachmentIds: [], next: undefined });
  return added.ticket;
}
