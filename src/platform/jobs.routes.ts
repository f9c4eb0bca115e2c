import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
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

// The list's order: newest finished first (never-finished jobs, queued or running, after them), then newest id.
// The cursor is the last row's finish time in microseconds (as the database holds it, so no two differ by
// rounding) and id: a page boundary is a fixed point, whatever is added, retried or finished meanwhile.
const finishedMicros = sql`(extract(epoch from ${jobs.finishedAt}) * 1000000)::bigint`;
type JobCursor = { finished: string | null; id: number };

function encodeCursor(c: JobCursor): string {
  return Buffer.from(`${c.finished ?? '-'}|${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): JobCursor {
  const m = /^(-|\d{1,18})\|(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('VALIDATION_FAILED', 'Invalid cursor', { fields: [{ path: 'querystring.cursor', message: 'use nextCursor from the previous page' }] });
  return { finished: m[1] === '-' ? null : (m[1] as string), id: Number(m[2]) };
}

/** Rows after the cursor in the list's order. */
function after(c: JobCursor): SQL {
  if (c.finished === null) return and(isNull(jobs.finishedAt), lt(jobs.id, c.id)) as SQL;
  return or(
    sql`${finishedMicros} < ${c.finished}::bigint`,
    and(sql`${finishedMicros} = ${c.finished}::bigint`, lt(jobs.id, c.id)),
    isNull(jobs.finishedAt),
  ) as SQL;
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
        querystring: z.object({
          status: z.enum(['dead', 'queued', 'running']).default('dead'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(100).optional(),
        }),
        response: { 200: z.object({ items: z.array(JobView), nextCursor: z.string().nullable() }) },
        description:
          'Jobs by status, newest finished first, then newest first; `dead` lists those that exhausted their attempts or whose payload no longer matches its kind. Pass `nextCursor` as `cursor` for the next page (null on the last).',
      },
    },
    async (req) => {
      const rows = await db
        .select({ job: jobs, finished: sql<string | null>`${finishedMicros}::text` })
        .from(jobs)
        .where(and(eq(jobs.status, STATUS[req.query.status]), req.query.cursor ? after(decodeCursor(req.query.cursor)) : undefined))
        .orderBy(sql`${jobs.finishedAt} desc nulls last`, desc(jobs.id))
        .limit(req.query.limit + 1);
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return { items: page.map((r) => view(r.job)), nextCursor: rows.length > req.query.limit && last ? encodeCursor({ finished: last.finished, id: last.job.id }) : null };
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
