import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf } from '../../src/db/client.js';

// Security follow-ups: on the PostgreSQL server a dropped LISTEN connection was never re-established, so live
// updates, cache invalidations (sign-out ending streams, revoked tokens) and job wake-ups stopped silently.

const url = process.env.TEST_DATABASE_URL;

describe('LISTEN on the PostgreSQL server', { skip: !url && 'needs the PostgreSQL server (TEST_DATABASE_URL)' }, () => {
  test('a terminated listener connection comes back, LISTENs again, says so once, and NOTIFY arrives again', async () => {
    const logs: { level: string; msg: string }[] = [];
    const log = { warn: (_: object, msg: string) => logs.push({ level: 'warn', msg }), info: (_: object, msg: string) => logs.push({ level: 'info', msg }) };
    const database = await openDatabase({ url: url as string, log, reconnect: { minMs: 50, maxMs: 500 } });
    const channel = `reconnect_${randomBytes(4).toString('hex')}`;
    const received: string[] = [];
    let resubscribed = 0;
    const unlisten = await database.listen(channel, (p) => received.push(p), () => resubscribed++);
    try {
      const notify = (payload: string) => database.db.execute(sql`select pg_notify(${channel}, ${payload})`);
      const arrives = async (payload: string, ms = 10_000) => {
        const deadline = Date.now() + ms;
        while (Date.now() < deadline) {
          await notify(payload);
          await new Promise((r) => setTimeout(r, 50));
          if (received.includes(payload)) return true;
        }
        return false;
      };
      assert.ok(await arrives('before'), 'NOTIFY arrives at first');

      for (const round of [1, 2]) {
        const killed = rowsOf<{ killed: boolean }>(
          await database.db.execute(
            sql`select pg_terminate_backend(pid) as killed from pg_stat_activity where query = ${`LISTEN "${channel}"`} and pid <> pg_backend_pid()`,
          ),
        );
        assert.deepEqual(
          killed.map((k) => k.killed),
          [true],
          'exactly the listener connection was terminated',
        );
        assert.ok(await arrives(`after drop ${round}`), `NOTIFY arrives after drop ${round}`);
        assert.equal(resubscribed, round, 'the subscriber is told to catch up');
      }
      assert.deepEqual(
        logs.map((l) => `${l.level}: ${l.msg}`),
        ['warn: LISTEN connection lost; reconnecting', 'info: LISTEN connection restored', 'warn: LISTEN connection lost; reconnecting', 'info: LISTEN connection restored'],
      );
    } finally {
      await unlisten();
      await database.close();
    }
    // Stopped listeners stay stopped: nothing reconnects after close.
    const after = logs.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(logs.length, after);
  });
});
