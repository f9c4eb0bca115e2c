/**
 * Issue 10, item 8: a crash must not leave an Idempotency-Key "in progress" for a day. A key held by a request
 * that never answered is leased for a minute; a retry after the lease takes it over and runs once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../src/db/client.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

let t: TestApp;
let agent: Session;

before(async () => {
  t = await startTestApp();
  agent = await t.signIn('agent');
});
after(() => t.close());

const keyRow = async (key: string) =>
  rowsOf<{ principal: string; request_hash: string; status_code: number | null; created_at: string }>(
    await t.database.db.execute(sql`select principal, key, request_hash, status_code, created_at from idempotency_keys where key = ${key}`),
  )[0];
const ticketsWithSubject = async (subject: string) =>
  rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from tickets where subject = ${subject}`))[0]?.n ?? 0;

describe('Idempotency-Key after a crash', () => {
  test('a key left in progress answers 409 IDEMPOTENCY_IN_PROGRESS during its lease, and a retry after the lease runs once', async () => {
    const body = { subject: 'Crashed mid-request', description: 'The process died before it answered.' };
    // The same request under another key, only to learn the fingerprint a retry of `body` will carry.
    const probe = await t.as(agent).post('/api/v1/tickets', body, { 'idempotency-key': 'probe-1' });
    assert.equal(probe.status, 201);
    const fingerprint = await keyRow('probe-1');
    assert.ok(fingerprint);
    // What a process killed between taking the key and answering leaves behind: the key, no answer.
    await t.database.db.execute(
      sql`insert into idempotency_keys (principal, key, request_hash, status_code, response, created_at)
          values (${fingerprint.principal}, 'crashed-1', ${fingerprint.request_hash}, null, null, ${t.clock.now().toISOString()})`,
    );
    const before = await ticketsWithSubject(body.subject);

    t.clock.advance(30_000);
    const during = await t.as(agent).post('/api/v1/tickets', body, { 'idempotency-key': 'crashed-1' });
    assert.equal(during.status, 409);
    assert.equal(during.body.code, 'IDEMPOTENCY_IN_PROGRESS');
    assert.equal(during.headers['retry-after'], '30', 'says when the lease ends');
    assert.equal(await ticketsWithSubject(body.subject), before, 'a refused retry changes nothing');

    t.clock.advance(31_000);
    const retried = await t.as(agent).post('/api/v1/tickets', body, { 'idempotency-key': 'crashed-1' });
    assert.equal(retried.status, 201, retried.raw);
    assert.equal(await ticketsWithSubject(body.subject), before + 1, 'exactly one ticket for the key');
    const again = await t.as(agent).post('/api/v1/tickets', body, { 'idempotency-key': 'crashed-1' });
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body.id, retried.body.id);
    assert.equal(await ticketsWithSubject(body.subject), before + 1);
  });

  test('a retry with another body after the lease is still refused as a reused key', async () => {
    const probe = await t.as(agent).post('/api/v1/tickets', { subject: 'one body', description: 'd' }, { 'idempotency-key': 'probe-2' });
    const fingerprint = await keyRow('probe-2');
    assert.equal(probe.status, 201);
    await t.database.db.execute(
      sql`insert into idempotency_keys (principal, key, request_hash, status_code, response, created_at)
          values (${fingerprint?.principal}, 'crashed-2', ${fingerprint?.request_hash}, null, null, ${t.clock.now().toISOString()})`,
    );
    t.clock.advance(61_000);
    const other = await t.as(agent).post('/api/v1/tickets', { subject: 'another body', description: 'd' }, { 'idempotency-key': 'crashed-2' });
    assert.equal(other.status, 422);
    assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  test('keys older than a day are swept, not only the one being retried', async () => {
    const old = new Date(t.clock.now().getTime() - 25 * 3600_000).toISOString();
    await t.database.db.execute(
      sql`insert into idempotency_keys (principal, key, request_hash, status_code, response, created_at)
          values ('user:someone-else', 'ancient', 'x', null, null, ${old}), ('user:someone-else', 'ancient-done', 'x', 201, '{}'::jsonb, ${old})`,
    );
    // The sweep runs at most every ten minutes per process.
    t.clock.advance(11 * 60_000);
    const res = await t.as(agent).post('/api/v1/tickets', { subject: 'sweeper', description: 'd' }, { 'idempotency-key': 'sweeper-1' });
    assert.equal(res.status, 201);
    assert.equal(await keyRow('ancient'), undefined);
    assert.equal(await keyRow('ancient-done'), undefined);
  });
});
