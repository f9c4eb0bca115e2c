import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../../platform/auth.js';
import { AppError } from '../../../platform/errors.js';
import { visibleTo } from '../tickets.queries.js';
import { type LINK_KINDS, ticketLinks, tickets } from '../tickets.schema.js';
import { inTransaction, lockTicket, save, type TicketDeps, type Within } from './command.js';

/** A link from a ticket: to another ticket the actor may see, or (`external`) to a URL. */
export type NewLink = { kind: (typeof LINK_KINDS)[number]; targetTicketId?: string; url?: string; title?: string };
export type TicketLinkRow = typeof ticketLinks.$inferSelect;

export function addLink(d: TicketDeps, actor: Actor, ticketId: string, link: NewLink, within: Within = {}): Promise<TicketLinkRow> {
  return inTransaction(d, within, async (tx) => {
    const t = await lockTicket(d, tx, actor, ticketId);
    if (link.targetTicketId) {
      if (link.targetTicketId === ticketId) throw new AppError('INVALID_REFERENCE', 'A ticket cannot link to itself');
      const [target] = await tx
        .select({ id: tickets.id })
        .from(tickets)
        .where(and(eq(tickets.id, link.targetTicketId), visibleTo(actor)));
      if (!target) throw new AppError('INVALID_REFERENCE', `No ticket with id ${link.targetTicketId}`, { fields: [{ path: 'targetTicketId', message: 'unknown ticket' }] });
    }
    const [row] = (await tx
      .insert(ticketLinks)
      .values({ ticketId, kind: link.kind, targetTicketId: link.targetTicketId ?? null, url: link.url ?? null, title: link.title ?? null, createdBy: actor.userId, createdAt: d.ctx.clock.now() })
      .returning()) as [TicketLinkRow];
    const added = { kind: 'link_added', to: { linkId: row.id, kind: row.kind, targetTicketId: row.targetTicketId, url: row.url, title: row.title } } as const;
    await save(d, tx, actor, t, { set: {}, events: [added] }, { autoAssign: false });
    return row;
  });
}

export function removeLink(d: TicketDeps, actor: Actor, ticketId: string, linkId: string, within: Within = {}): Promise<void> {
  return inTransaction(d, within, async (tx) => {
    const t = await lockTicket(d, tx, actor, ticketId);
    const [row] = await tx
      .delete(ticketLinks)
      .where(and(eq(ticketLinks.id, linkId), eq(ticketLinks.ticketId, ticketId)))
      .returning();
    if (!row) throw new AppError('NOT_FOUND', `Ticket #${t.number} has no link ${linkId}`);
    await save(d, tx, actor, t, { set: {}, events: [{ kind: 'link_removed', from: { linkId: row.id, kind: row.kind, targetTicketId: row.targetTicketId, url: row.url } }] }, { autoAssign: false });
  });
}
