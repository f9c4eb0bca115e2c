import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { after, before, test } from 'node:test';
import { rowsOf } from '../db/client.js';
import { startTestApp, type TestApp } from '../testing/harness.js';
import { z } from 'zod';
import { backoffMs, defineJob, enqueue, handle, JobPayloadError } from './jobs.js';

let t: TestApp;
const seen: unknown[] = [];
let failuresLeft = 0;

before(async () => {
  t = await startTestApp();
  t.services.jobs.register('test.record', async (payload) => {
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error('SMTP 421 try later');
    }
    seen.push(payload);
  });
});
after(() => t.close());

async function jobRows() {
  return rowsOf<{ kind: string; status: string; attempts: number; last_error: string | null; key: string | null }>(
    await t.database.db.execute(sql`select kind, status, attempts, last_error, key from jobs order by id`),
  );
}

test('a job enqueued in a transaction that rolls back never exists', async () => {
  await assert.rejects(
    t.database.db.transaction(async (tx) => {
      await enqueue(tx, t.clock, { kind: 'test.record', payload: { n: 0 } });
      throw new Error('command failed');
    }),
  );
  assert.equal((await jobRows()).length, 0);
});

test('a committed job runs once; the same key enqueued twice is one job', async () => {
  await t.database.db.transaction(async (tx) => {
    await enqueue(tx, t.clock, { kind: 'test.record', payload: { n: 1 }, key: 'mail:1' });
    await enqueue(tx, t.clock, { kind: 'test.record', payload: { n: 1 }, key: 'mail:1' });
  });
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.equal(await t.services.jobs.runDue(), 0);
  assert.deepEqual(seen, [{ n: 1 }]);
});

test('a failing job is retried with backoff, then succeeds', async () => {
  seen.length = 0;
  failuresLeft = 2;
  await enqueue(t.database.db, t.clock, { kind: 'test.record', payload: { n: 2 } });
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.equal(await t.services.jobs.runDue(), 0, 'not due again before its backoff');
  t.clock.advance(backoffMs(1));
  assert.equal(await t.services.jobs.runDue(), 1);
  t.clock.advance(backoffMs(2));
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.deepEqual(seen, [{ n: 2 }]);
  const last = (await jobRows()).at(-1);
  assert.equal(last?.status, 'done');
  assert.equal(last?.attempts, 3);
});

test('a job that keeps failing ends failed with its last error', async () => {
  failuresLeft = 100;
  await enqueue(t.database.db, t.clock, { kind: 'test.record', payload: { n: 3 }, maxAttempts: 2 });
  await t.services.jobs.runDue();
  t.clock.advance(backoffMs(1));
  await t.services.jobs.runDue();
  const last = (await jobRows()).at(-1);
  assert.equal(last?.status, 'failed');
  assert.equal(last?.last_error, 'SMTP 421 try later');
  failuresLeft = 0;
});

test('a job whose worker died mid-run is picked up again after its lock expires', async () => {
  seen.length = 0;
  await enqueue(t.database.db, t.clock, { kind: 'test.record', payload: { n: 4 } });
  // Simulate a crash: claimed (running, locked) but never finished.
  await t.database.db.execute(sql`update jobs set status = 'running', attempts = 1, locked_until = ${new Date(t.clock.now().getTime() + 60_000).toISOString()} where status = 'queued'`);
  assert.equal(await t.services.jobs.runDue(), 0);
  t.clock.advance(61_000);
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.deepEqual(seen, [{ n: 4 }]);
});

test('ticket commands let listeners enqueue jobs in their own transaction', async () => {
  t.services.tickets.onEvents(async (tx, events, ticket) => {
    for (const e of events) if (e.kind === 'created') await enqueue(tx, t.clock, { kind: 'test.record', payload: { ticket: ticket.number }, key: `created:${ticket.id}` });
  });
  const agent = await t.signIn('agent');
  const tk = await t.make.ticket(agent);
  const bad = await t.as(agent).post('/api/v1/tickets', { subject: 's', description: 'd', priority: 'P9' });
  assert.equal(bad.status, 422);
  assert.equal((await jobRows()).filter((j) => j.key?.startsWith('created:')).length, 1);
  seen.length = 0;
  await t.services.jobs.runDue();
  assert.deepEqual(seen, [{ ticket: tk.number }]);
});

test('a job completed inside its own transaction is done exactly when that transaction commits', async () => {
  await t.database.db.execute(sql`delete from jobs`);
  await t.database.db.execute(sql`create table within_effects (n int)`);
  let fail = true;
  t.services.jobs.register('test.within', async (_payload, job) => {
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into within_effects values (1)`);
      await job.completeWithin(tx);
      if (fail) throw new Error('failed after completing');
    });
  });
  await enqueue(t.database.db, t.clock, { kind: 'test.within', payload: {} });
  await t.services.jobs.runDue();
  // The work and the completion rolled back together: the job waits for its retry.
  let [row] = await jobRows();
  assert.equal(row?.status, 'queued');
  assert.equal(rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from within_effects`))[0]?.n, 0);
  fail = false;
  t.clock.advance(backoffMs(1));
  await t.services.jobs.runDue();
  [row] = await jobRows();
  assert.equal(row?.status, 'done');
  assert.equal(row?.attempts, 2);
  assert.equal(rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from within_effects`))[0]?.n, 1);
});

const TYPED = defineJob({ kind: 'test.typed', payload: z.object({ n: z.number().int() }) });
const typedSeen: number[] = [];

test('enqueueing a payload its job does not declare is refused (types and zod), and nothing is queued', async () => {
  await t.database.db.execute(sql`delete from jobs`);
  t.services.jobs.add(handle(TYPED, async (p) => void typedSeen.push(p.n)));
  await assert.rejects(
    // @ts-expect-error: the payload is checked against the declaration at compile time too
    enqueue(t.database.db, t.clock, TYPED, { n: 'seven' }),
    (err: unknown) => err instanceof JobPayloadError && /payload does not match job test\.typed: n: /.test(err.message),
  );
  // The row form is checked against the declared kind as well.
  await assert.rejects(enqueue(t.database.db, t.clock, { kind: 'test.typed', payload: { m: 1 } }), JobPayloadError);
  assert.equal((await jobRows()).length, 0);
  await enqueue(t.database.db, t.clock, TYPED, { n: 7 }, { key: 'typed:7' });
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.deepEqual(typedSeen, [7]);
});

test('a row whose payload no longer matches its job goes dead with the reason; the runner carries on', async () => {
  await t.database.db.execute(sql`delete from jobs`);
  typedSeen.length = 0;
  // Written by older code (or by hand): the declaration has changed since.
  await t.database.db.execute(
    sql`insert into jobs (kind, payload, run_at, created_at) values ('test.typed', '{"n":"eight"}'::jsonb, ${t.clock.now().toISOString()}::timestamptz, ${t.clock.now().toISOString()}::timestamptz)`,
  );
  await enqueue(t.database.db, t.clock, TYPED, { n: 9 });
  assert.equal(await t.services.jobs.runDue(), 2);
  assert.deepEqual(typedSeen, [9]);
  const [bad, good] = await jobRows();
  assert.equal(bad?.status, 'failed');
  assert.equal(bad?.attempts, 1, 'not retried: the same row fails the same way');
  assert.match(bad?.last_error ?? '', /^payload does not match job test\.typed: n: /);
  assert.equal(good?.status, 'done');
  t.clock.advance(3600_000);
  assert.equal(await t.services.jobs.runDue(), 0);
});

test('a dead job is listed for admins and retried over the API', async () => {
  await t.database.db.execute(sql`delete from jobs`);
  seen.length = 0;
  failuresLeft = 2;
  await enqueue(t.database.db, t.clock, { kind: 'test.record', payload: { n: 10 }, maxAttempts: 2 });
  await t.services.jobs.runDue();
  t.clock.advance(backoffMs(1));
  await t.services.jobs.runDue();
  const [dead] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from jobs where status = 'failed'`));
  assert.ok(dead);
  const admin = await t.signIn('admin');
  const agent = await t.signIn('agent');
  assert.equal((await t.as(agent).get('/api/v1/admin/jobs?status=dead')).status, 403);
  assert.equal((await t.as(agent).post(`/api/v1/admin/jobs/${dead.id}/retry`)).status, 403);
  const list = await t.as(admin).get('/api/v1/admin/jobs?status=dead');
  assert.equal(list.status, 200);
  const items = (list.body as { items: { id: number; kind: string; status: string; attempts: number; lastError: string }[] }).items;
  assert.deepEqual(
    items.map((j) => [j.id, j.kind, j.status, j.attempts, j.lastError]),
    // (bigserial comes back from a raw select as a string on the PostgreSQL driver)
    [[Number(dead.id), 'test.record', 'dead', 2, 'SMTP 421 try later']],
  );
  assert.equal((await t.as(admin).get('/api/v1/admin/jobs?status=gone')).status, 400);
  const missing = await t.as(admin).post('/api/v1/admin/jobs/999999/retry');
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { code: string }).code, 'NOT_FOUND');
  const retried = await t.as(admin).post(`/api/v1/admin/jobs/${dead.id}/retry`);
  assert.equal(retried.status, 200);
  assert.equal((retried.body as { status: string; attempts: number }).status, 'queued');
  assert.equal((retried.body as { attempts: number }).attempts, 0);
  // Only a dead job can be retried: a second retry of the now-queued job changes nothing.
  const again = await t.as(admin).post(`/api/v1/admin/jobs/${dead.id}/retry`);
  assert.equal(again.status, 422);
  assert.equal((again.body as { code: string }).code, 'NOT_RETRYABLE');
  assert.equal(await t.services.jobs.runDue(), 1);
  assert.deepEqual(seen, [{ n: 10 }]);
  assert.deepEqual((await t.as(admin).get('/api/v1/admin/jobs?status=dead')).body, { items: [], nextCursor: null });
});
