import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Clock } from './clock.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';
import { idempotencyKeys } from './platform.schema.js';

const KEY_TTL_MS = 24 * 3600_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { principal: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its response is remembered; a retry with the
 * same key and body gets the original response (offline clients retry), a retry with another body is refused.
 */
export function installIdempotency(app: FastifyInstance, db: Db, clock: Clock): void {
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || key === '') return;
    if (key.length > 255) throw new AppError('VALIDATION_FAILED', 'Idempotency-Key is longer than 255 characters');
    const principal = req.actor ? `user:${req.actor.userId}` : `ip:${req.ip}`;
    const requestHash = sha256(`${req.method} ${req.url}\n${bodyFingerprint(req)}`);
    // A key is remembered for a day (as Stripe does); after that the same key starts a new request.
    await db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, new Date(clock.now().getTime() - KEY_TTL_MS))));
    const inserted = await db
      .insert(idempotencyKeys)
      .values({ principal, key, requestHash, createdAt: clock.now() })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length) {
      req.idempotency = { principal, key };
      return;
    }
    const [prior] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
    if (!prior) throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is being processed; retry shortly');
    if (prior.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
    if (prior.statusCode === null) {
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is being processed; retry shortly');
    }
    return reply.status(prior.statusCode).header('idempotent-replayed', 'true').send(prior.response);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = null;
    const where = and(eq(idempotencyKeys.principal, idem.principal), eq(idempotencyKeys.key, idem.key));
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
