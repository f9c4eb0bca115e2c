import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { foreignKeyColumn } from '../../platform/errors.js';
import { defineJob, handle, type JobDefinition, type NewJob } from '../../platform/jobs.js';
import type { EventSubscriber } from '../tickets/events.js';
import { CHANNELS, type Channel } from '../tickets/intake.queries.js';
import { channelReplies, type ReplyStatus } from './channels.schema.js';

/** Sends one agent's public reply (a message id) out through a channel: compose, queue, post. Idempotent. */
export type ReplyDeliverer = { name: string; deliver: (messageId: string) => Promise<void> };

/** Delivering an agent's public reply through its ticket's channel; retried with backoff like every job. */
export const CHANNEL_REPLY = defineJob({
  kind: 'channels.reply',
  payload: z.object({ messageId: z.string(), ticketId: z.string(), channel: z.enum(CHANNELS) }),
});

/**
 * Replies go back where the conversation lives: each channel module registers the deliverer for the ticket channels
 * it answers on (email: email, and the channels with no conversation of their own — web, portal, api, phone, other).
 * An agent's public reply becomes a CHANNEL_REPLY job; a ticket whose channel has no deliverer keeps the reply,
 * recorded in `channel_replies` as `no_deliverer`, instead of losing it silently.
 */
export class ReplyDeliverers {
  private readonly byChannel = new Map<Channel, ReplyDeliverer>();

  constructor(private readonly ctx: Ctx) {}

  register(channels: readonly Channel[], deliverer: ReplyDeliverer): void {
    for (const c of channels) {
      const taken = this.byChannel.get(c);
      if (taken) throw new Error(`channel ${c} already has a reply deliverer (${taken.name}); ${deliverer.name} cannot take it too`);
      this.byChannel.set(c, deliverer);
    }
  }

  for(channel: Channel): ReplyDeliverer | undefined {
    return this.byChannel.get(channel);
  }

  /** The ticket event subscriber: an agent's public reply (not the first message of a new ticket) queues its delivery. */
  subscriber(): EventSubscriber {
    return {
      name: 'channels.replies',
      kinds: ['message_added', 'created'],
      jobs: async (_tx, events, ticket) => {
        if (events.some((e) => e.kind === 'created')) return [];
        const jobs: NewJob[] = [];
        for (const e of events) {
          const to = e.toValue as { messageId?: string; public?: boolean; direction?: string } | null;
          if (e.kind !== 'message_added' || !to?.messageId || !to.public || to.direction !== 'outbound') continue;
          jobs.push({ kind: CHANNEL_REPLY.kind, payload: { messageId: to.messageId, ticketId: ticket.id, channel: ticket.channel }, key: `${CHANNEL_REPLY.kind}:${to.messageId}` });
        }
        return jobs;
      },
    };
  }

  async deliver(p: z.infer<typeof CHANNEL_REPLY.payload>): Promise<void> {
    const deliverer = this.byChannel.get(p.channel);
    if (deliverer) await deliverer.deliver(p.messageId);
    await this.record(p, deliverer ? 'handed_over' : 'no_deliverer', deliverer ? deliverer.name : `no reply deliverer for the ${p.channel} channel: the reply is on the ticket only`);
  }

  private async record(p: z.infer<typeof CHANNEL_REPLY.payload>, status: ReplyStatus, detail: string): Promise<void> {
    try {
      await this.ctx.db.execute(sql`
        insert into ${channelReplies} (message_id, ticket_id, channel, status, detail, at)
        values (${p.messageId}::uuid, ${p.ticketId}::uuid, ${p.channel}, ${status}, ${detail}, ${this.ctx.clock.now().toISOString()}::timestamptz)
        on conflict (message_id) do update set status = excluded.status, detail = excluded.detail, at = excluded.at`);
    } catch (err) {
      // The ticket was deleted since: nothing to record, and retrying would not change that.
      if (!foreignKeyColumn(err)) throw err;
    }
  }

  /** What became of a reply (null: not delivered yet). */
  async status(messageId: string) {
    const rows = await this.ctx.db.select().from(channelReplies).where(sql`${channelReplies.messageId} = ${messageId}::uuid`);
    return rows[0] ?? null;
  }

  jobs(): JobDefinition[] {
    return [handle(CHANNEL_REPLY, (p) => this.deliver(p))];
  }
}
