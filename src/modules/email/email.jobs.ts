import { z } from 'zod';
import { defineJob, enqueue, handle, type JobDefinition } from '../../platform/jobs.js';
import type { Ctx } from '../../platform/context.js';
import type { TicketEventListener, TicketsService } from '../tickets/tickets.service.js';
import { INBOUND_JOB, type InboundService } from './inbound.service.js';
import type { OutboundService } from './outbound.service.js';

type NotifyPayload = Parameters<OutboundService['sendNotification']>[0];

/** The email channel's job kinds (inbound.service.ts also inserts EMAIL_INBOUND rows itself, in one statement). */
export const EMAIL_INBOUND = defineJob({ kind: INBOUND_JOB, payload: z.object({ id: z.string(), deferrals: z.number().int().nonnegative().optional() }) });
/** The ticket channels whose agents' public replies email delivers (channels/replies.service.ts). */
export const EMAIL_REPLY_CHANNELS = ['email', 'web', 'portal', 'api', 'phone', 'other'] as const;

/** Kept for replies queued before delivery moved to channels' `channels.reply` job. */
export const EMAIL_REPLY = defineJob({ kind: 'email.reply', payload: z.object({ messageId: z.string() }) });
export const EMAIL_NOTIFY = defineJob({
  kind: 'email.notify',
  payload: z.object({
    kind: z.enum(['new_ticket', 'assigned', 'requester_replied', 'escalated']),
    ticketId: z.string(),
    userId: z.string().optional(),
    groupId: z.string().optional(),
    urgency: z.string().optional(),
    actorId: z.string().nullable().optional(),
  }) satisfies z.ZodType<NotifyPayload>,
});
export const EMAIL_DELIVER = defineJob({ kind: 'email.deliver', payload: z.object({ id: z.string() }) });

/** The email channel's jobs: process inbound mail, compose replies and notifications, deliver. */
export function emailJobs(inbound: InboundService, outbound: OutboundService): JobDefinition[] {
  return [
    handle(EMAIL_INBOUND, (p, job) => inbound.process(p.id, p.deferrals ?? 0, job)),
    handle(EMAIL_REPLY, (p) => outbound.sendReply(p.messageId)),
    handle(EMAIL_NOTIFY, (p) => outbound.sendNotification(p)),
    handle(EMAIL_DELIVER, (p, job) => outbound.deliver(p.id, job)),
  ];
}

/**
 * Turns ticket events into email jobs, inside the command's transaction: agents hear of new tickets in their group,
 * assignments, escalations and requester replies.
 */
export function emailEventListener(ctx: Ctx): TicketEventListener {
  return async (tx, events, ticket) => {
    const created = events.find((e) => e.kind === 'created');
    const notify = (payload: NotifyPayload, key: string) => enqueue(tx, ctx.clock, EMAIL_NOTIFY, payload, { key: `email.notify:${key}` });
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
        // (An agent's public reply is delivered by channels' reply job, through the ticket's channel.)
        const to = e.toValue as { messageId?: string; public?: boolean; direction?: string; author?: string } | null;
        if (!to?.messageId || !to.public) continue;
        if (to.direction === 'inbound' && ticket.assigneeId && to.author === 'requester') {
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
