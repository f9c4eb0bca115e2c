import { createHmac } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { randomToken } from '../../platform/crypto.js';
import { AppError, uniquelyNamed } from '../../platform/errors.js';
import { defineJob, enqueue, type JobContext } from '../../platform/jobs.js';
import { patchOf } from '../../platform/validation.js';
import { isUuid, type TicketQueries, type TicketRow } from '../tickets/tickets.queries.js';
import { Egress, EgressRefused, EgressUnresolved } from './egress.js';

// What a refused or unresolved target throws, for other modules that aim requests through `egress` (monitors).
export { EgressRefused, EgressUnresolved };
import { webhookDeliveries, webhooks } from './webhooks.schema.js';

export const WEBHOOK_JOB = 'webhook.deliver';
export const WEBHOOK_DELIVER = defineJob({ kind: WEBHOOK_JOB, payload: z.object({ deliveryId: z.string() }) });
const TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 8;

export const WebhookBody = z.object({
  name: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }).max(2000),
  active: z.boolean().default(true),
});
export const UpdateWebhookBody = patchOf(WebhookBody);

type Webhook = typeof webhooks.$inferSelect;

/** What a webhook shows: everything but the secret, which is shown once, when it is made. */
export function webhookView(w: Webhook) {
  const { secret: _secret, ...rest } = w;
  return rest;
}

/**
 * The signature a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
 * The timestamp is signed too, so a captured delivery cannot be replayed later unnoticed.
 */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Outgoing webhooks: rules queue a delivery in the transaction of the change that caused it (nothing sent for a
 * change that rolled back, nothing lost for one that committed); a job posts it, signed, and retries with
 * backoff on network errors, timeouts, 5xx, 408 and 429. Any other 4xx is a refusal: marked failed, not retried.
 *
 * Targets are public internet addresses only (see Egress), checked when a webhook is saved and again, after DNS
 * resolution, at every delivery, which connects only to the addresses it checked; redirects are not followed.
 */
export class WebhooksService {
  readonly egress: Egress;

  constructor(
    private readonly ctx: Ctx,
    private readonly queries: TicketQueries,
  ) {
    this.egress = new Egress(ctx.config.webhookAllowPrivate);
  }

  list(): Promise<Webhook[]> {
    return this.ctx.db.select().from(webhooks).orderBy(webhooks.name);
  }

  async get(id: string, ex: Executor = this.ctx.db): Promise<Webhook> {
    const [row] = isUuid(id) ? await ex.select().from(webhooks).where(eq(webhooks.id, id)) : [];
    if (!row) throw new AppError('NOT_FOUND', `No webhook with id ${id}`);
    return row;
  }

  async exists(id: string): Promise<boolean> {
    return this.get(id).then(
      () => true,
      () => false,
    );
  }

  async create(input: z.infer<typeof WebhookBody>): Promise<Webhook> {
    await this.checkTarget(input.url);
    const now = this.ctx.clock.now();
    const [row] = await uniquelyNamed(`A webhook named ${input.name}`, () =>
      this.ctx.db
        .insert(webhooks)
        .values({ ...input, secret: `whsec_${randomToken(24)}`, createdAt: now, updatedAt: now })
        .returning(),
    );
    return row as Webhook;
  }

  async update(id: string, patch: z.infer<typeof UpdateWebhookBody>): Promise<Webhook> {
    await this.get(id);
    if (patch.url !== undefined) await this.checkTarget(patch.url);
    const [row] = await uniquelyNamed(`A webhook named ${patch.name}`, () =>
      this.ctx.db
        .update(webhooks)
        .set({ ...patch, updatedAt: this.ctx.clock.now() })
        .where(eq(webhooks.id, id))
        .returning(),
    );
    return row as Webhook;
  }

  /** A URL webhooks may post to, or INVALID_FIELD_VALUE (422) saying why not. */
  private async checkTarget(url: string): Promise<void> {
    try {
      await this.egress.check(url);
    } catch (err) {
      if (!(err instanceof EgressRefused || err instanceof EgressUnresolved)) throw err;
      const message = err instanceof EgressRefused ? `${err.reason}; webhooks post only to public addresses unless WEBHOOK_ALLOW_PRIVATE allows the range` : err.message;
      throw new AppError('INVALID_FIELD_VALUE', `Webhooks cannot post to ${url}: ${message}`, { fields: [{ path: 'body.url', message }] });
    }
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.ctx.db.delete(webhooks).where(eq(webhooks.id, id));
  }

  deliveries(id: string, limit = 50) {
    return this.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id)).orderBy(desc(webhookDeliveries.createdAt)).limit(limit);
  }

  /** Queues a delivery of the ticket as it is now, inside the caller's transaction. An inactive webhook gets none. */
  async queue(tx: Tx, webhookId: string, ticket: TicketRow, rule: string): Promise<void> {
    const hook = await this.get(webhookId, tx);
    if (!hook.active) return;
    const [view] = await this.queries.views([ticket], tx);
    const now = this.ctx.clock.now();
    const payload = { event: 'rule.fired', rule, at: now.toISOString(), ticket: view };
    const [row] = await tx.insert(webhookDeliveries).values({ webhookId, ticketId: ticket.id, payload, createdAt: now }).returning({ id: webhookDeliveries.id });
    if (!row) throw new Error('webhook delivery row was not inserted');
    await enqueue(tx, this.ctx.clock, WEBHOOK_DELIVER, { deliveryId: row.id }, { key: `webhook:${row.id}`, maxAttempts: MAX_ATTEMPTS });
  }

  /**
   * Queues one delivery of an event that is not a ticket's (`incident.updated`, `maintenance.started` …) to each
   * of `webhookIds` that exists and is active, inside the caller's transaction: the same signed, retried,
   * SSRF-checked delivery as a rule's. Payload: `{ event, at, ...data }`. Returns how many were queued.
   */
  async queueEvent(tx: Tx, webhookIds: string[], event: string, data: Record<string, unknown>): Promise<number> {
    let queued = 0;
    for (const webhookId of webhookIds) {
      const hook = await this.get(webhookId, tx).catch(() => null);
      if (!hook?.active) continue;
      const now = this.ctx.clock.now();
      const payload = { event, at: now.toISOString(), ...data };
      const [row] = await tx.insert(webhookDeliveries).values({ webhookId, ticketId: null, payload, createdAt: now }).returning({ id: webhookDeliveries.id });
      if (!row) throw new Error('webhook delivery row was not inserted');
      await enqueue(tx, this.ctx.clock, WEBHOOK_DELIVER, { deliveryId: row.id }, { key: `webhook:${row.id}`, maxAttempts: MAX_ATTEMPTS });
      queued++;
    }
    return queued;
  }

  /** The job: one attempt at one delivery. Throwing asks the queue to try again later. */
  async deliver(deliveryId: string, job: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<void> {
    const [d] = await this.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    if (d?.status !== 'pending') return;
    const hook = await this.get(d.webhookId).catch(() => null);
    if (!hook) return;
    const body = JSON.stringify(d.payload);
    const now = this.ctx.clock.now();
    let status: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      // Checked again now (DNS may have changed since it was saved), and the connection pinned to what was checked.
      const target = await this.egress.check(hook.url);
      status = await this.egress.post(
        target,
        {
          'content-type': 'application/json',
          'user-agent': 'Lifeline-Webhooks/1',
          'x-lifeline-delivery': d.id,
          'x-lifeline-signature': signature(hook.secret, body, now),
        },
        body,
        TIMEOUT_MS,
      );
    } catch (err) {
      // A refused target is never contacted, so the reason says nothing about what listens there.
      refused = err instanceof EgressRefused;
      error = refused
        ? `refused: ${(err as EgressRefused).reason}; webhooks post only to public addresses unless WEBHOOK_ALLOW_PRIVATE allows the range`
        : err instanceof EgressUnresolved
          ? err.message
          : (err as Error).name === 'TimeoutError'
            ? `no answer within ${TIMEOUT_MS / 1000} s`
            : `could not connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    const delivered = status !== null && status >= 200 && status < 300;
    const retryable = !delivered && !refused && (status === null || status >= 500 || status === 408 || status === 429);
    const final = delivered || !retryable || job.attempt >= job.maxAttempts;
    await this.ctx.db
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        responseStatus: status,
        error: delivered ? null : (error ?? `answered ${status}`),
        ...(final ? { status: delivered ? 'delivered' : 'failed' } : {}),
        ...(delivered ? { deliveredAt: now } : {}),
      })
      .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'pending')));
    if (!final) throw new Error(`webhook ${hook.name}: ${error ?? `answered ${status}`}; will retry`);
  }
}


