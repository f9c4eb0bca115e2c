import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

// Security follow-ups: GET /api/v1/admin/jobs stopped at 200 rows with no way on, so an outage that killed
// thousands of jobs showed an admin only the newest 200. It pages with a keyset cursor in a stable order.

type Page = { items: { id: number; finishedAt: string | null }[]; nextCursor: string | null };

describe('the admin jobs list pages through every job', () => {
  let t: TestApp;
  let admin: Session;
  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    // 230 dead jobs in few distinct finish times (ties, and ties only a microsecond apart), and 7 queued ones.
    await t.database.db.execute(sql`
      insert into jobs (kind, payload, status, run_at, created_at, finished_at, attempts, max_attempts, last_error)
      select 'test.dead', jsonb_build_object('n', i), 'failed', now(), now(),
             timestamptz '2026-11-30 10:00:00+00' + (i / 40) * interval '1 minute' + (i % 2) * interval '1 microsecond', 8, 8, 'boom'
      from generate_series(1, 230) as i`);
    await t.database.db.execute(sql`
      insert into jobs (kind, payload, status, run_at, created_at) select 'test.queued', '{}', 'queued', now(), now() from generate_series(1, 7)`);
  });
  after(() => t.close());

  async function all(status: string, limit: number): Promise<{ ids: number[]; pages: number }> {
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.as(admin).get(`/api/v1/admin/jobs?status=${status}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.raw);
      const body = res.body as Page;
      ids.push(...body.items.map((j) => j.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 1000);
    return { ids, pages };
  }

  test('every dead job once, newest finished first, however the pages fall', async () => {
    const expected = (await t.database.db.execute(sql`select id from jobs where status = 'failed' order by finished_at desc, id desc`)) as unknown as {
      rows: { id: string | number }[];
    };
    const order = expected.rows.map((r) => Number(r.id));
    assert.equal(order.length, 230);
    for (const limit of [200, 37, 4]) {
      const { ids, pages } = await all('dead', limit);
      assert.deepEqual(ids, order, `limit ${limit}`);
      assert.equal(pages, Math.ceil(230 / limit));
    }
  });

  test('jobs that never finished (queued) page by id', async () => {
    const { ids } = await all('queued', 3);
    assert.equal(ids.length, 7);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  test('a page boundary holds while jobs die and are retried meanwhile', async () => {
    const first = (await t.as(admin).get('/api/v1/admin/jobs?status=dead&limit=50')).body as Page;
    const seen = new Set(first.items.map((j) => j.id));
    // One job of the next page is retried, and a new one dies: neither shifts what comes next.
    const rest = (await t.as(admin).get(`/api/v1/admin/jobs?status=dead&limit=200&cursor=${first.nextCursor}`)).body as Page;
    const retried = rest.items[5]?.id as number;
    assert.equal((await t.as(admin).post(`/api/v1/admin/jobs/${retried}/retry`)).status, 200);
    await t.database.db.execute(sql`update jobs set status = 'failed', finished_at = now() where kind = 'test.queued' and id = (select max(id) from jobs where kind = 'test.queued')`);
    const again = (await t.as(admin).get(`/api/v1/admin/jobs?status=dead&limit=200&cursor=${first.nextCursor}`)).body as Page;
    assert.deepEqual(
      again.items.map((j) => j.id),
      rest.items.map((j) => j.id).filter((id) => id !== retried),
    );
    for (const j of again.items) assert.ok(!seen.has(j.id));
  });

  test('a forged or foreign cursor is a 400 that says what to send', async () => {
    for (const cursor of ['nonsense', Buffer.from("1|1' or 1=1").toString('base64url'), Buffer.from('x|1').toString('base64url'), 'a'.repeat(101)]) {
      const res = await t.as(admin).get(`/api/v1/admin/jobs?status=dead&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 400, cursor);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
    }
  });
});
