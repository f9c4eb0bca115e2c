import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import type { TicketRow } from '../tickets.queries.js';
import { ticketFollowers, tickets } from '../tickets.schema.js';
import { inTransaction, record, type TicketDeps, type Within } from './command.js';
import { capFollowers } from './follower-limit.js';
import { insertMessage, renderBody } from './messages.js';

/**
 * Merges `sourceId` into `targetId`: the source becomes merged (final), its requester and followers follow the
 * target, the target gets an internal note and the source's search words. Two tickets change, so this command
 * locks both itself (in id order, so two opposite merges cannot deadlock) instead of using `changeTicket`.
 */
export async function mergeTickets(d: TicketDeps, actor: Actor, sourceId: string, targetId: string, within: Within = {}): Promise<TicketRow> {
  if (sourceId === targetId) throw new AppError('CANNOT_MERGE', 'A ticket cannot be merged into itself');
  return inTransaction(d, within, async (tx) => {
    const [a, b] = [sourceId, targetId].sort() as [string, string];
    const first = await d.queries.getRow(actor, a, tx, true);
    const second = await d.queries.getRow(actor, b, tx, true);
    const source = first.id === sourceId ? first : second;
    const target = first.id === targetId ? first : second;
    for (const t of [source, target]) {
      if (t.statusCategory === 'merged' || t.statusCategory === 'closed') {
        throw new AppError('CANNOT_MERGE', `Ticket #${t.number} is ${t.statusCategory} and cannot take part in a merge`);
      }
    }
    const now = d.ctx.clock.now();
    const [merged] = (await tx
      .update(tickets)
      .set({ status: 'merged', statusCategory: 'merged', mergedIntoId: target.id, version: source.version + 1, updatedAt: now })
      .where(eq(tickets.id, source.id))
      .returning()) as [TicketRow];
    // The source's requester and followers keep hearing about the issue on the target.
    const carried = await tx.select({ userId: ticketFollowers.userId }).from(ticketFollowers).where(eq(ticketFollowers.ticketId, source.id));
    // Up to the target's limit of customer followers: the rest are named in the merge note.
    const { kept: newFollowers, leftOut } = await capFollowers(
      d,
      tx,
      target.id,
      [source.requesterId, ...carried.map((c) => c.userId)].filter((u) => u !== target.requesterId),
      false,
    );
    if (newFollowers.length) {
      await tx
        .insert(ticketFollowers)
        .values([...new Set(newFollowers)].map((userId) => ({ ticketId: target.id, userId })))
        .onConflictDoNothing();
    }
    const notAdded = leftOut.length
      ? ` This ticket has its limit of ${d.ctx.config.maxCustomerFollowers} customer followers, so these were not added as followers: ${leftOut.join(', ')}.`
      : '';
    const noteId = await insertMessage(d, tx, target, {
      authorId: actor.userId,
      public: false,
      direction: 'internal',
      channel: 'api',
      body: renderBody(`Merged #${source.number} (“${source.subject}”) into this ticket.${notAdded}`, 'markdown'),
      attachmentIds: [],
      uploaderId: actor.userId,
    });
    const [updatedTarget] = (await tx
      .update(tickets)
      .set({ version: target.version + 1, updatedAt: now, searchVector: sql`${tickets.searchVector} || ${source.searchVector}::tsvector` })
      .where(eq(tickets.id, target.id))
      .returning()) as [TicketRow];
    await record(d, tx, actor, merged, [{ kind: 'merged_into', field: 'status', from: source.status, to: { ticketId: target.id, number: target.number } }]);
    await record(d, tx, actor, updatedTarget, [
      { kind: 'merged_from', to: { ticketId: source.id, number: source.number } },
      { kind: 'message_added', to: { messageId: noteId, public: false, author: 'agent', direction: 'internal', channel: 'api' }, public: false },
    ]);
    return updatedTarget;
  });
}
