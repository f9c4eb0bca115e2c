import { sql } from 'drizzle-orm';
import type { Actor } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { LiveHub } from '../../platform/live.js';

export const PRESENCE_CHANNEL = 'lifeline_presence';
// A viewer who has not said they are here for this long has left (the app says so every 5 seconds).
const FRESH_MS = 15_000;

type Notice = { ticketId: string; userId: string; name: string; typing: boolean; leaving?: boolean; at: string };
type Here = { userId: string; name: string; typing: boolean; seenAt: Date };

/**
 * Who is looking at a ticket and who is typing a reply, for collision detection. Nothing is stored: each
 * heartbeat is a NOTIFY, so every process (behind one load balancer) hears every viewer, and a viewer who stops
 * sending heartbeats drops out after 15 seconds.
 */
export class Presence {
  private readonly hub: LiveHub<Notice>;
  private readonly byTicket = new Map<string, Map<string, Here>>();

  constructor(private readonly ctx: Ctx) {
    this.hub = new LiveHub<Notice>(ctx.database, PRESENCE_CHANNEL);
    this.hub.subscribe((n) => this.heard(n));
  }

  start(): Promise<void> {
    return this.hub.start();
  }

  stop(): Promise<void> {
    return this.hub.stop();
  }

  /** The actor is on the ticket (typing or not), or leaving it. The caller has checked they may see it. */
  async beat(actor: Actor, ticketId: string, state: { typing: boolean; leaving?: boolean }): Promise<void> {
    const notice: Notice = { ticketId, userId: actor.userId, name: actor.name, typing: state.typing, leaving: state.leaving, at: this.ctx.clock.now().toISOString() };
    // Heard here at once too, so this process's next read includes it even before the NOTIFY comes back.
    this.heard(notice);
    await this.ctx.db.execute(sql`select pg_notify(${PRESENCE_CHANNEL}, ${JSON.stringify(notice)})`);
  }

  here(ticketId: string): Here[] {
    const now = this.ctx.clock.now().getTime();
    const viewers = this.byTicket.get(ticketId);
    if (!viewers) return [];
    for (const [userId, h] of viewers) if (now - h.seenAt.getTime() > FRESH_MS) viewers.delete(userId);
    if (!viewers.size) this.byTicket.delete(ticketId);
    return [...viewers.values()];
  }

  private heard(n: Notice): void {
    if (this.byTicket.size > 1000) for (const id of [...this.byTicket.keys()]) this.here(id);
    const viewers = this.byTicket.get(n.ticketId) ?? new Map<string, Here>();
    if (n.leaving) viewers.delete(n.userId);
    else viewers.set(n.userId, { userId: n.userId, name: n.name, typing: n.typing, seenAt: new Date(n.at) });
    if (viewers.size) this.byTicket.set(n.ticketId, viewers);
    else this.byTicket.delete(n.ticketId);
  }
}
