import { eq } from 'drizzle-orm';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import type { Ctx } from '../../platform/context.js';
import { messages } from '../tickets/tickets.schema.js';
import type { TicketEventListener, TicketsService } from '../tickets/tickets.service.js';
import { INBOUND_JOB, type InboundService } from './inbound.service.js';
import type { OutboundService } from './outbound.service.js';

type NotifyPayload = Parameters<OutboundService['sendNotification']>[0];

/** The email channel's jobs: process inbound mail, compose replies and notifications, deliver. */
export function registerEmailJobs(jobs: JobRunner, inbound: InboundService, outbound: OutboundService): void {
  jobs.register(INBOUND_JOB, (p, job) => {
    const { id, deferrals } = p as { id: string; deferrals?: number };
    return inbound.process(id, deferrals ?? 0, job);
  });
  jobs.register('email.reply', (p) => outbound.sendReply((p as { messageId: string }).messageId));
  jobs.register('email.notify', (p) => outbound.sendNotification(p as NotifyPayload));
  jobs.register('email.deliver', (p, job) => outbound.deliver((p as { id: string }).id, job));
}

/**
 * Turns ticket events into email jobs, inside the command's transaction: an agent's public reply is mailed to
 * the requester and followers; agents hear of new tickets in their group, assignments, and requester replies.
 */
export function emailEventListener(ctx: Ctx): TicketEventListener {
  return async (tx, events, ticket) => {
    const created = events.find((e) => e.kind === 'created');
    const notify = (payload: NotifyPayload, key: string) => enqueue(tx, ctx.clock, { kind: 'email.notify', payload, key: `email.notify:${key}` });
    for (const e of events) {
      if (e.kind === 'created') {
        if (ticket.groupId) await notify({ kind: 'new_ticket', ticketId: ticket.id, actorId: e.actorId }, `new:${ticket.id}`);
        if (ticket.assigneeId && ticket.assigneeId !== e.actorId) await notify({ kind: 'assigned', ticketId: ticket.id, userId: ticket.assigneeId }, `assigned:${e.id}`);
      } else if (e.kind === 'escalated') {
        // The tier the ticket went up to hears of it, with the form's urgency in the subject.
        const to = e.toValue as { groupId: string; urgency: string };
        await notify({ kind: 'escalated', ticketId: ticket.id, groupId: to.groupId, urgency: to.urgency, actorId: e.actorId }, `escalated:${e.id}`);
      } else if (e.kind === 'field_changed' && e.field === 'assignee' && typeof e.toValue === 'string' && e.toValue !== e.actorId) {
        await notify({ kind: 'assigned', ticketId: ticket.id, userId: e.toValue }, `assigned:${e.id}`);
      } else if (e.kind === 'message_added' && !created) {
        const to = e.toValue as { messageId?: string; public?: boolean } | null;
        if (!to?.messageId || !to.public) continue;
        const [m] = await tx.select({ direction: messages.direction, authorId: messages.authorId }).from(messages).where(eq(messages.id, to.messageId));
        if (m?.direction === 'outbound') {
          await enqueue(tx, ctx.clock, { kind: 'email.reply', payload: { messageId: to.messageId }, key: `email.reply:${to.messageId}` });
        } else if (m?.direction === 'inbound' && ticket.assigneeId && m.authorId === ticket.requesterId) {
          await notify({ kind: 'requester_replied', ticketId: ticket.id, userId: ticket.assigneeId }, `reply:${to.messageId}`);
        }
      }
    }
  };
}

/** A delivery that failed for good is shown on its ticket as an internal note. */
export function noteDeliveryFailures(outbound: OutboundService, tickets: TicketsService): void {
  outbound.onPermanentFailure = async ({ outbound: o, error }) => {
    if (!o.ticketId) return;
    await tickets.receiveMessage(null, o.ticketId, {
      body: `Email to ${o.recipients.join(', ')} (“${o.subject}”) could not be delivered: ${error}`,
      format: 'text',
      attachmentIds: [],
      note: true,
      channel: 'email',
    });
  };
}
