import { and, eq, isNull, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Clock } from './clock.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';
import { idempotencyKeys } from './platform.schema.js';

const KEY_TTL_MS = 24 * 3600_000;
/**
 * How long a request may hold its key "in progress". A process that dies mid-request never answers; after the
 * lease a retry takes the key over and runs, instead of getting 409 for a day.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
// Keys older than a day are deleted by whichever request comes along, at most this often per process.
const SWEEP_EVERY_MS = 10 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The key this request holds; `leasedAt` is its row's created_at, so a request whose lease was taken over
     *  cannot overwrite the answer of the one that took it. */
    idempotency: { principal: string; key: string; leasedAt: Date } | null;
  }
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its response is remembered; a retry with the
 * same key and body gets the original response (offline clients retry), a retry with another body is refused.
 */
export function installIdempotency(app: FastifyInstance, db: Db, clock: Clock): void {
  let lastSweep = Number.NEGATIVE_INFINITY;
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || key === '') return;
    if (key.length > 255) throw new AppError('VALIDATION_FAILED', 'Idempotency-Key is longer than 255 characters');
    const principal = req.actor ? `user:${req.actor.userId}` : `ip:${req.ip}`;
    const requestHash = sha256(`${req.method} ${req.url}\n${bodyFingerprint(req)}`);
    const now = clock.now();
    const expired = new Date(now.getTime() - KEY_TTL_MS);
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now.getTime();
      await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expired));
    }
    const thisKey = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key));
    // A key is remembered for a day (as Stripe does); after that the same key starts a new request.
    await db.delete(idempotencyKeys).where(and(thisKey, lt(idempotencyKeys.createdAt, expired)));
    const inserted = await db
      .insert(idempotencyKeys)
      .values({ principal, key, requestHash, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length) {
      req.idempotency = { principal, key, leasedAt: now };
      return;
    }
    const [prior] = await db.select().from(idempotencyKeys).where(thisKey);
    if (!prior) throw inProgress(reply, IDEMPOTENCY_LEASE_MS);
    if (prior.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
    if (prior.statusCode === null) {
      const leaseLeft = prior.createdAt.getTime() + IDEMPOTENCY_LEASE_MS - now.getTime();
      if (leaseLeft > 0) throw inProgress(reply, leaseLeft);
      // The request that held the key never answered (its process died): take the key over, atomically, so of
      // several retries only one runs.
      const taken = await db
        .update(idempotencyKeys)
        .set({ createdAt: now })
        .where(and(thisKey, isNull(idempotencyKeys.statusCode), eq(idempotencyKeys.createdAt, prior.createdAt)))
        .returning({ key: idempotencyKeys.key });
      if (!taken.length) throw inProgress(reply, IDEMPOTENCY_LEASE_MS);
      req.idempotency = { principal, key, leasedAt: now };
      return;
    }
    return reply.status(prior.statusCode).header('idempotent-replayed', 'true').send(prior.response);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = null;
    const where = and(eq(idempotencyKeys.principal, idem.principal), eq(idempotencyKeys.key, idem.key), eq(idempotencyKeys.createdAt, idem.leasedAt));
    // A server error is not an answer worth replaying: forget the key so the retry runs again.
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await db.delete(idempotencyKeys).where(where);
      return payload;
    }
    let response: unknown = null;
    try {
      response = JSON.parse(payload);
    } catch {
      response = payload;
    }
    await db.update(idempotencyKeys).set({ statusCode: reply.statusCode, response }).where(where);
    return payload;
  });
}

function bodyFingerprint(req: FastifyRequest): string {
  const body = req.body;
  if (Buffer.isBuffer(body)) return sha256(body);
  return JSON.stringify(body ?? null);
}

function inProgress(reply: FastifyReply, leaseLeftMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(leaseLeftMs / 1000));
  reply.header('retry-after', String(seconds));
  return new AppError('IDEMPOTENCY_IN_PROGRESS', `A request with this Idempotency-Key is being processed; retry in ${seconds} s`, { extra: { retryAfterSeconds: seconds } });
}
