import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Database, Executor } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { jobs } from './platform.schema.js';

/**
 * A Postgres-backed job queue (transactional outbox). Jobs are plain rows inserted by the command that causes
 * them, inside its transaction, so a side effect exists exactly when its cause committed. Workers claim due jobs
 * with `FOR UPDATE SKIP LOCKED`, so several processes share one queue and each job runs once at a time.
 */

export type JobContext = {
  jobId: number;
  attempt: number;
  maxAttempts: number;
  /**
   * Marks the job done inside the handler's own transaction: its work and its completion commit together, so
   * a crash can never leave the work done and the job due to run again (and it saves the runner a statement).
   */
  completeWithin: (tx: Executor) => Promise<void>;
  /** For a handler that put `completeJobSql` into a statement of its own transaction (one round trip fewer). */
  markCompleted: () => void;
};

/** The update that marks a job done, for a CTE in the handler's own statement; then call `markCompleted`. */
export function completeJobSql(jobId: number, at: Date) {
  return sql`update ${jobs} set status = 'done', finished_at = ${at.toISOString()}::timestamptz, locked_until = null, last_error = null where id = ${jobId}`;
}
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export type NewJob = { kind: string; payload: unknown; key?: string; runAt?: Date; maxAttempts?: number };
export type EnqueueOptions = { key?: string; runAt?: Date; maxAttempts?: number };

/**
 * A job kind, declared once next to the module that owns it: its name and the zod schema of its payload.
 * Enqueueing is type-checked against it (and validated at run time: a mismatch throws, it is a programming
 * error); the runner validates each claimed row again, so a row written by older code goes to the dead-job list
 * with the reason instead of reaching the handler. The handler is bound where the module builds its services
 * (`handle(JOB, (payload, job) => …)` in the module's `jobs`), since it closes over them.
 */
export type JobType<P> = { readonly kind: string; readonly payload: z.ZodType<P> };
export type JobDefinition = { type: JobType<unknown>; handler: JobHandler };

const declared = new Map<string, JobType<unknown>>();

export function defineJob<P>(type: { kind: string; payload: z.ZodType<P> }): JobType<P> {
  if (declared.has(type.kind)) throw new Error(`job kind ${type.kind} declared twice`);
  declared.set(type.kind, type as JobType<unknown>);
  return type;
}

/** Binds a declared job kind to its handler, which receives the payload as its schema parsed it. */
export function handle<P>(type: JobType<P>, handler: (payload: P, ctx: JobContext) => Promise<void>): JobDefinition {
  return { type: type as JobType<unknown>, handler: handler as JobHandler };
}

/** Thrown by `enqueue` for a payload its job's schema refuses: a programming error, never user input. */
export class JobPayloadError extends Error {
  constructor(kind: string, issues: z.core.$ZodIssue[]) {
    super(`payload does not match job ${kind}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'JobPayloadError';
  }
}

function checked(kind: string, payload: unknown): unknown {
  const type = declared.get(kind);
  if (!type) return payload;
  const parsed = type.payload.safeParse(payload);
  if (!parsed.success) throw new JobPayloadError(kind, parsed.error.issues);
  return parsed.data;
}

/** Workers LISTEN here; a statement that inserts jobs itself (in a CTE) must NOTIFY it too. */
export const WAKE_CHANNEL = 'lifeline_jobs';
const LOCK_MS = 5 * 60_000;

/**
 * Enqueues a job in `ex`'s transaction: `enqueue(tx, clock, EMAIL_REPLY, { messageId }, { key })`, the payload
 * checked against the declaration. The older form `enqueue(tx, clock, { kind, payload, … })` is still validated
 * when its kind is declared (subscribers that return job rows use it).
 */
export async function enqueue<P>(ex: Executor, clock: Clock, type: JobType<P>, payload: NoInfer<P>, options?: EnqueueOptions): Promise<void>;
export async function enqueue(ex: Executor, clock: Clock, job: NewJob): Promise<void>;
export async function enqueue(ex: Executor, clock: Clock, what: NewJob | JobType<unknown>, payload?: unknown, options: EnqueueOptions = {}): Promise<void> {
  const typed = typeof (what.payload as { safeParse?: unknown } | null)?.safeParse === 'function';
  const job: NewJob = typed ? { ...options, kind: what.kind, payload } : { ...(what as NewJob) };
  job.payload = checked(job.kind, job.payload);
  // One statement inserts and wakes the workers (NOTIFY is delivered at commit): enqueueing is on the hot path
  // of every command, so it costs one round trip.
  await ex.execute(sql`
    with j as (
      insert into ${jobs} (kind, payload, key, run_at, max_attempts, created_at)
      values (${job.kind}, ${JSON.stringify(job.payload ?? {})}::jsonb, ${job.key ?? null}, ${(job.runAt ?? clock.now()).toISOString()}::timestamptz,
              ${job.maxAttempts ?? 8}, ${clock.now().toISOString()}::timestamptz)
      on conflict (key) do nothing
      returning id)
    select pg_notify(${WAKE_CHANNEL}, '') from j`);
}

/**
 * Enqueues many jobs of one type in `ex`'s transaction, in one statement per 1,000 (a fan-out: one job per linked
 * ticket of an incident update), each payload checked; a key already queued is skipped, as with `enqueue`.
 */
export async function enqueueMany<P>(ex: Executor, clock: Clock, type: JobType<P>, items: { payload: NoInfer<P>; key?: string; runAt?: Date }[], options: { maxAttempts?: number } = {}): Promise<void> {
  const now = clock.now().toISOString();
  for (let i = 0; i < items.length; i += 1000) {
    const rows = items.slice(i, i + 1000).map((it) => ({ payload: checked(type.kind, it.payload) ?? {}, key: it.key ?? null, run_at: (it.runAt ?? clock.now()).toISOString() }));
    await ex.execute(sql`
      with j as (
        insert into ${jobs} (kind, payload, key, run_at, max_attempts, created_at)
        select ${type.kind}, r.payload, r.key, r.run_at, ${options.maxAttempts ?? 8}, ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(payload jsonb, key text, run_at timestamptz)
        on conflict (key) do nothing
        returning id)
      select pg_notify(${WAKE_CHANNEL}, '') where exists (select 1 from j)`);
  }
}

/** Delay before retry n (1-based): 5 s, 10 s, 20 s … capped at an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** (attempt - 1), 3600_000);
}

type ClaimedJob = { id: number; kind: string; payload: unknown; attempts: number; max_attempts: number };

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private wanted = false;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly log?: Logger,
    private readonly concurrency = 1,
  ) {}

  /** An undeclared kind (tests); modules declare theirs with `defineJob` and pass them to `add`. */
  register(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`job kind ${kind} registered twice`);
    this.handlers.set(kind, handler);
  }

  add(...definitions: JobDefinition[]): void {
    for (const d of definitions) this.register(d.type.kind, d.handler);
  }

  /**
   * Claim and run up to `limit` due jobs, `concurrency` at a time (jobs wait on the database and the network, so
   * a few in flight keep a process busy); returns how many ran. Tests call this directly with a fake clock.
   */
  async runDue(limit = 20, concurrency = this.concurrency): Promise<number> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + LOCK_MS);
    const claimed = rowsOf<ClaimedJob>(
      await this.database.db.execute(sql`
        update ${jobs} set status = 'running', attempts = attempts + 1, locked_until = ${lockedUntil.toISOString()}
        where id in (
          select id from ${jobs}
          where (status = 'queued' and run_at <= ${now.toISOString()})
             or (status = 'running' and locked_until < ${now.toISOString()})
          order by run_at, id
          limit ${limit}
          for update skip locked)
        returning id, kind, payload, attempts, max_attempts`),
    );
    let next = 0;
    const lane = async () => {
      while (next < claimed.length) await this.runOne(claimed[next++] as ClaimedJob);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, lane));
    return claimed.length;
  }

  private async runOne(job: ClaimedJob): Promise<void> {
    const { db } = this.database;
    const handler = this.handlers.get(job.kind);
    let completed = false;
    const done = async (ex: Executor) => {
      await ex
        .update(jobs)
        .set({ status: 'done', finishedAt: this.clock.now(), lockedUntil: null, lastError: null })
        .where(eq(jobs.id, job.id));
    };
    const type = declared.get(job.kind);
    const parsed = type?.payload.safeParse(job.payload);
    if (parsed && !parsed.success) {
      // Not worth retrying: the same row fails the same way. It goes to the dead-job list, saying why.
      const reason = new JobPayloadError(job.kind, parsed.error.issues).message;
      this.log?.error({ kind: job.kind, jobId: job.id, attempt: job.attempts }, `job dead: ${reason}`);
      await db
        .update(jobs)
        .set({ status: 'failed', finishedAt: this.clock.now(), lockedUntil: null, lastError: reason })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'running')));
      return;
    }
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(parsed ? parsed.data : job.payload, {
        jobId: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        completeWithin: async (tx) => {
          await done(tx);
          completed = true;
        },
        markCompleted: () => {
          completed = true;
        },
      });
      if (!completed) await done(db);
    } catch (err) {
      // A transaction that marked the job done and then failed rolled that back too.
      completed = false;
      const message = err instanceof Error ? err.message : String(err);
      const final = job.attempts >= job.max_attempts;
      // Once per attempt: a retry is a warning, the last attempt makes the job dead (GET /api/v1/admin/jobs?status=dead).
      const fields = { kind: job.kind, jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, err };
      if (final) this.log?.error(fields, `job ${job.kind}#${job.id} dead after ${job.attempts} attempts: ${message}`);
      else this.log?.warn(fields, `job ${job.kind}#${job.id} attempt ${job.attempts} failed, retrying: ${message}`);
      const now = this.clock.now();
      await db
        .update(jobs)
        .set(
          final
            ? { status: 'failed', finishedAt: now, lockedUntil: null, lastError: message }
            : { status: 'queued', runAt: new Date(now.getTime() + backoffMs(job.attempts)), lockedUntil: null, lastError: message },
        )
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'running')));
    }
  }

  /** Run continuously: wake on NOTIFY from an enqueue, and poll for retries that came due. */
  async start(pollMs = 1000): Promise<void> {
    // After a dropped LISTEN connection comes back, look at once for work whose wake-up was missed.
    this.unlisten = await this.database.listen(
      WAKE_CHANNEL,
      () => this.kick(),
      () => this.kick(),
    );
    this.timer = setInterval(() => this.kick(), pollMs);
    this.kick();
  }

  private kick(): void {
    if (this.running !== undefined) {
      this.wanted = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.wanted = false;
          while ((await this.runDue()) > 0) {}
        } while (this.wanted);
      } catch (err) {
        this.log?.error({ err }, 'job runner failed to claim jobs');
      } finally {
        this.running = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.unlisten?.();
    await this.running;
  }
}
