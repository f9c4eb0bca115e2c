import { and, desc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { WAKE_CHANNEL } from './jobs.js';
import { jobs } from './platform.schema.js';
import { Timestamp } from './responses.js';

const admin = { level: 'admin', scope: 'admin' } as const;
// In the table a dead job is one whose status is 'failed': it exhausted its attempts or its payload no longer
// matches its kind's schema (last_error says which).
const STATUS = { dead: 'failed', queued: 'queued', running: 'running' } as const;

const JobView = z.object({
  id: z.number().int(),
  kind: z.string(),
  status: z.enum(['dead', 'queued', 'running', 'done']),
  payload: z.unknown(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  runAt: Timestamp,
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});

function view(j: typeof jobs.$inferSelect): z.infer<typeof JobView> {
  return {
    id: j.id,
    kind: j.kind,
    status: j.status === 'failed' ? 'dead' : j.status,
    payload: j.payload,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    lastError: j.lastError,
    runAt: j.runAt,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
  };
}

/** The job queue as admins see it: dead jobs (retries exhausted, or a payload that no longer fits) and a retry. */
export function jobRoutes(app: FastifyInstance, database: Database, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const { db } = database;
  r.get(
    '/api/v1/admin/jobs',
    {
      config: { access: admin },
      schema: {
        tags,
        querystring: z.object({ status: z.enum(['dead', 'queued', 'running']).default('dead'), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(JobView) }) },
        description: 'Jobs by status, newest first; `dead` lists those that exhausted their attempts or whose payload no longer matches its kind.',
      },
    },
    async (req) => {
      const rows = await db
        .select()
        .from(jobs)
        .where(eq(jobs.status, STATUS[req.query.status]))
        .orderBy(desc(jobs.finishedAt), desc(jobs.id))
        .limit(req.query.limit);
      return { items: rows.map(view) };
    },
  );
  r.post(
    '/api/v1/admin/jobs/:id/retry',
    {
      config: { access: admin },
      schema: {
        tags,
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: JobView },
        description: 'Queues a dead job again with a fresh set of attempts, due now. Only a dead job can be retried.',
      },
    },
    async (req) => {
      const now = clock.now();
      const [row] = await db
        .update(jobs)
        .set({ status: 'queued', attempts: 0, runAt: now, finishedAt: null, lockedUntil: null })
        .where(and(eq(jobs.id, req.params.id), eq(jobs.status, 'failed')))
        .returning();
      if (!row) {
        const [existing] = await db.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, req.params.id));
        if (!existing) throw new AppError('NOT_FOUND', `No job ${req.params.id}.`);
        throw new AppError('NOT_RETRYABLE', `Job ${req.params.id} is ${existing.status === 'done' ? 'done' : existing.status}, not dead: only a dead job can be retried.`);
      }
      await db.execute(sql`select pg_notify(${WAKE_CHANNEL}, '')`);
      return view(row);
    },
  );
}
