import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { after, before, test } from 'node:test';
import { rowsOf } from '../db/client.js';
import { startTestApp, type TestApp } from '../testing/harness.js';
import { backoffMs, enqueue } from './jobs.js';

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
