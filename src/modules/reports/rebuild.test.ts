import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { EventsNotSettledError } from '../tickets/reports.queries.js';
import { RebuildLockLostError, RebuildRunningError } from './store.service.js';

/**
 * `lifeline reports rebuild` builds a staging table and swaps it in while the live fold goes on writing the live
 * table: a ticket changed while the pages are read, just before the swap, or in flight during it (the server leg: a
 * real second connection) ends up with the row a quiet rebuild gives it; a rebuild that fails or a crashed one's
 * leftovers leave the live table serving.
 */
describe('reports rebuild: changes made while it runs, failures', () => {
  let t: TestApp;
  let agent: Session;
  let customer: Session;
  const ids: string[] = [];
  const rows = async () => rowsOf<Record<string, unknown>>(await t.database.db.execute(sql`select * from ticket_metrics order by number`));
  const rowOf = async (id: string) => (await rows()).find((r) => r.ticket_id === id);
  const reply = async (id: string, who: Session, extra: Record<string, unknown> = {}) => {
    const res = await t.as(who).post(`/api/v1/tickets/${id}/messages`, { body: 'Hello', ...extra });
    assert.equal(res.status, 201, res.raw);
  };
  // What a rebuild with nothing changing meanwhile gives: the rows the live path keeps (reports.test.ts shows they agree).
  const quiet = async () => {
    await t.services.reportsStore.rebuild();
    return rows();
  };
  const stagingExists = async () => rowsOf<{ t: string | null }>(await t.database.db.execute(sql`select to_regclass('ticket_metrics_rebuild')::text as t`))[0]?.t !== null;

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    const admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    // A policy, so each change runs the SLA step (on the sla_clocks table) before the reports step.
    const office = (await t.as(agent).get('/api/v1/calendars')).body.items.find((c: { name: string }) => c.name === 'Office hours').id;
    const policy = await t.as(admin).post('/api/v1/sla-policies', { name: 'Everything', calendarId: office, targets: { P4: { first_response: 120, resolution: 960 } } });
    assert.equal(policy.status, 201, policy.raw);
    t.clock.set(new Date('2026-03-02T09:00:00Z'));
    for (let i = 0; i < 6; i++) ids.push((await t.make.ticket(customer, { subject: `Ticket ${i}` })).id);
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
    for (const id of ids) await reply(id, agent);
  });
  after(() => t.close());

  test('a ticket changed while the pages are read is folded again before the swap', async () => {
    const [first, last] = [ids[0] as string, ids[5] as string];
    let changed = false;
    t.clock.set(new Date('2026-03-02T11:00:00Z'));
    const result = await t.services.reportsStore.rebuild({
      pageSize: 2,
      onProgress: async () => {
        if (changed) return;
        changed = true;
        // Both after the watermark: one ticket of a page already written, one of a page not read yet.
        await reply(first, customer);
        await reply(first, agent, { status: 'solved' });
        await reply(last, agent, { status: 'solved' });
      },
    });
    assert.equal(result.tickets, 6);
    assert.ok(result.caughtUp >= 2, `caught up ${result.caughtUp}`);
    const row = await rowOf(first);
    assert.equal(row?.agent_replies, 2);
    assert.equal(row?.requester_replies, 2);
    assert.equal(row?.status_category, 'solved');
    assert.equal((await rowOf(last))?.status_category, 'solved');
    assert.deepEqual(await rows(), await quiet());
  });

  test('a ticket changed after the catch-up, as the swap begins, is caught up under the lock', async () => {
    const id = ids[1] as string;
    t.clock.set(new Date('2026-03-02T12:00:00Z'));
    let changed = false;
    const result = await t.services.reportsStore.rebuild({
      onStep: async (step) => {
        if (step !== 'swapping' || changed) return;
        changed = true;
        await reply(id, customer);
      },
    });
    assert.equal(result.caughtUp, 1);
    assert.equal((await rowOf(id))?.requester_replies, 2);
    assert.deepEqual(await rows(), await quiet());
  });

  test('a change in flight during the swap (events written, its fold waiting) folds itself onto the new table', { skip: !process.env.TEST_DATABASE_URL && 'PGlite has one connection: a change cannot be in flight while the swap runs' }, async () => {
    const id = ids[2] as string;
    t.clock.set(new Date('2026-03-02T13:00:00Z'));
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    let inFlight: Promise<void> = Promise.resolve();
    let started = false;
    try {
      const result = await t.services.reportsStore.rebuild({
        onStep: async (step) => {
          if (step !== 'swapping' || started) return;
          started = true;
          // A second connection holds the SLA clocks: the change writes its events, then waits in the SLA step,
          // before the reports step has touched ticket_metrics.
          await other.query('begin');
          await other.query('lock table sla_clocks in access exclusive mode');
          inFlight = reply(id, customer);
          for (let i = 0; ; i++) {
            const waiting = await other.query(`select w.pid from pg_locks w join pg_locks e on e.pid = w.pid and e.relation = 'ticket_events'::regclass and e.mode = 'RowExclusiveLock' and e.granted
              where w.relation = 'sla_clocks'::regclass and not w.granted`);
            if (waiting.rowCount) break;
            assert.ok(i < 500, 'the change never waited on the SLA clocks');
            await new Promise((r) => setTimeout(r, 10));
          }
        },
      });
      // The swap did not see the uncommitted events, and did not wait for them.
      assert.equal(result.caughtUp, 0);
      assert.equal((await rowOf(id))?.requester_replies, 1);
      await other.query('commit');
      await inFlight;
      assert.equal((await rowOf(id))?.requester_replies, 2);
      assert.deepEqual(await rows(), await quiet());
    } finally {
      await other.end();
    }
  });

  test('a long report read during the swap: the swap gives up its lock wait quickly and tries again until it is granted', { skip: !process.env.TEST_DATABASE_URL && 'PGlite has one connection: no read can run while the swap does' }, async () => {
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    let swaps = 0;
    try {
      const result = await t.services.reportsStore.rebuild({
        onStep: async (step) => {
          if (step !== 'swapping') return;
          swaps++;
          if (swaps === 1) {
            // A report still reading the live table: its share lock stands in the way of the swap's exclusive one.
            await other.query('begin');
            await other.query('select count(*) from ticket_metrics');
            setTimeout(() => void other.query('commit'), 700);
          }
        },
      });
      assert.ok(swaps >= 2, `the swap was tried again (${swaps} tries)`);
      assert.ok(result.tickets > 0);
      assert.deepEqual(await rows(), await quiet());
    } finally {
      await other.end();
    }
  });

  test('tickets read in key ranges side by side (lanes) give the rows one range gives', async () => {
    const one = await (async () => {
      await t.services.reportsStore.rebuild({ lanes: 1 });
      return rows();
    })();
    for (const lanes of [2, 3, 7]) {
      const result = await t.services.reportsStore.rebuild({ lanes, pageSize: 1 });
      assert.equal(result.tickets, 6, `${lanes} lanes`);
      assert.deepEqual(await rows(), one, `${lanes} lanes`);
    }
  });

  test('a second rebuild while one runs is refused with a clear error and touches nothing; the first completes', async () => {
    const before = await rows();
    let asked = false;
    let second: unknown;
    let secondStaging: boolean | undefined;
    const result = await t.services.reportsStore.rebuild({
      pageSize: 2,
      onProgress: async () => {
        if (asked) return;
        asked = true;
        // Midway: the first rebuild's staging table is half full; the second must not drop or fill it.
        second = await t.services.reportsStore.rebuild().then(
          () => 'completed',
          (e: unknown) => e,
        );
        secondStaging = await stagingExists();
      },
    });
    assert.ok(second instanceof RebuildRunningError, `the second rebuild: ${String(second)}`);
    assert.match((second as Error).message, /another reports rebuild is running/);
    assert.equal(secondStaging, true);
    assert.equal(result.tickets, 6);
    assert.deepEqual(await rows(), before);
    // The lock went with the first rebuild: the next one runs.
    assert.equal((await t.services.reportsStore.rebuild()).tickets, 6);
  });

  test('a transaction writing events that never ends: the rebuild waits only until its deadline, then stops, changing nothing', { skip: !process.env.TEST_DATABASE_URL && 'PGlite has one connection: no other transaction can be open' }, async () => {
    const before = await rows();
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // What an insert into ticket_events holds until its transaction ends (a session left idle in it).
      await other.query('begin');
      await other.query('lock table ticket_events in row exclusive mode');
      const pid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      const t0 = Date.now();
      await assert.rejects(t.services.reportsStore.rebuild({ settleDeadlineMs: 400 }), (e: unknown) => {
        assert.ok(e instanceof EventsNotSettledError, String(e));
        assert.deepEqual(e.pids, [pid]);
        assert.match(e.message, /still open after 0 s/);
        return true;
      });
      assert.ok(Date.now() - t0 < 5000, `gave up after ${Date.now() - t0} ms`);
      assert.deepEqual(await rows(), before);
      assert.equal(await stagingExists(), false);
      await other.query('commit');
      assert.equal((await t.services.reportsStore.rebuild({ settleDeadlineMs: 400 })).tickets, 6);
    } finally {
      await other.end();
    }
  });

  test("the rebuild lock's session ended midway (a killed backend): the process lives on, the rebuild stops before its swap, the live table unchanged", { skip: !process.env.TEST_DATABASE_URL && 'PGlite: the lock is held in this process, there is no session to end' }, async () => {
    const before = await rows();
    const killLockHolder = async () => {
      const killed = rowsOf<{ pid: number }>(
        await t.database.db.execute(sql`select pid, pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`),
      );
      assert.equal(killed.length, 1, 'one session holds the rebuild lock');
    };
    await assert.rejects(
      t.services.reportsStore.rebuild({
        onStep: async (step) => {
          if (step === 'indexing') await killLockHolder();
        },
      }),
      (e: unknown) => {
        assert.ok(e instanceof RebuildLockLostError, String(e));
        assert.match(e.message, /lost its lock .* the live table is unchanged/);
        return true;
      },
    );
    assert.deepEqual(await rows(), before);
    assert.equal(await stagingExists(), false);
    assert.equal((await t.services.reportsStore.rebuild()).tickets, 6);
  });

  test('a rebuild that fails leaves the live table serving, and a crashed one leaves nothing in the way of the next', async () => {
    const before = await rows();
    await assert.rejects(
      t.services.reportsStore.rebuild({
        pageSize: 2,
        onProgress: () => {
          throw new Error('stopped');
        },
      }),
      /stopped/,
    );
    assert.deepEqual(await rows(), before);
    assert.equal(await stagingExists(), false);
    // A process that died mid-rebuild leaves its half-filled staging table behind: the next rebuild starts afresh.
    await t.database.db.execute(sql`create table ticket_metrics_rebuild (like ticket_metrics)`);
    await t.database.db.execute(sql`insert into ticket_metrics_rebuild select * from ticket_metrics limit 2`);
    const result = await t.services.reportsStore.rebuild();
    assert.equal(result.tickets, 6);
    assert.deepEqual(await rows(), before);
    assert.equal(await stagingExists(), false);
    // The live table has its indexes and key under their names (the reports' plans and the fold's upsert need them).
    const indexes = rowsOf<{ name: string }>(await t.database.db.execute(sql`select indexname as name from pg_indexes where tablename = 'ticket_metrics' order by 1`)).map((r) => r.name);
    assert.deepEqual(indexes, ['ticket_metrics_created_idx', 'ticket_metrics_first_reply_idx', 'ticket_metrics_first_solved_idx', 'ticket_metrics_open_idx', 'ticket_metrics_pkey', 'ticket_metrics_reopened_idx', 'ticket_metrics_solved_idx']);
  });
});
