import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openTestDatabase } from '../testing/harness.js';
import { type Database, rowsOf } from './client.js';
import { copyField, copyRows } from './copy-text.js';

/** COPY's text format written by copyField and read by copyRows round-trips through the real database. */
let database: Database;
let drop: () => Promise<void>;
before(async () => {
  ({ database, drop } = await openTestDatabase());
  await database.db.execute(sql`create table copy_probe (n integer, at timestamptz, label text, tags text[])`);
});
// drop() closes the database too.
after(() => drop());

test('text with tabs, newlines, backslashes and quotes, nulls, numbers, instants and arrays go in and come out as they were', async () => {
  const rows: unknown[][] = [
    [1, new Date('2026-03-02T09:00:00.123Z'), 'plain', ['a', 'b c']],
    [2, null, 'tab\there\nnew line\r\\ back "quoted"', ['with,comma', 'quote"d', 'back\\slash', 'tab\tin', '{braces}', 'NULL']],
    [null, new Date(0), null, []],
  ];
  await database.copyIn('copy_probe (n, at, label, tags)', rows.map((r) => `${r.map(copyField).join('\t')}\n`).join(''));
  const stored = rowsOf<{ n: number | null; at: string | Date | null; label: string | null; tags: string[] }>(await database.db.execute(sql`select * from copy_probe order by n nulls last`));
  assert.deepEqual(
    stored.map((r) => [r.n, r.at === null ? null : new Date(r.at).toISOString(), r.label, r.tags]),
    rows.map((r) => [r[0], r[1] === null ? null : (r[1] as Date).toISOString(), r[2], r[3]]),
  );
  const out = copyRows(await database.copyOut(`select n, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), label, array_to_json(tags) from copy_probe order by n nulls last`));
  assert.deepEqual(
    out,
    rows.map((r) => [r[0] === null ? null : String(r[0]), r[1] === null ? null : (r[1] as Date).toISOString(), r[2], JSON.stringify(r[3])]),
  );
  assert.deepEqual(copyRows(''), []);
});
