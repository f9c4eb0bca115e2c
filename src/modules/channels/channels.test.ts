import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { parseSecretKey, Secrets, SecretUnreadable } from '../../platform/secrets.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { MailboxPoller } from '../email/imap-poller.js';

describe('secrets at rest', () => {
  test('a sealed value opens with its key, names the key, and carries no plain text', () => {
    const secrets = new Secrets(randomBytes(32));
    const sealed = secrets.seal({ password: 'hunter2-plain' });
    assert.equal(sealed.v, 1);
    assert.equal(sealed.kid, secrets.kid);
    assert.ok(!JSON.stringify(sealed).includes('hunter2'));
    assert.deepEqual(secrets.open(sealed), { password: 'hunter2-plain' });
    assert.notEqual(JSON.stringify(secrets.seal({ password: 'hunter2-plain' })), JSON.stringify(sealed), 'a fresh IV every time');
  });

  test('another key, an altered value or an unknown format is SecretUnreadable with the reason', () => {
    const a = new Secrets(randomBytes(32));
    const b = new Secrets(randomBytes(32));
    const sealed = a.seal({ password: 'x' });
    assert.throws(() => b.open(sealed), (err: Error) => err instanceof SecretUnreadable && err.message.includes(a.kid) && err.message.includes('SECRET_KEY'));
    assert.throws(() => a.open({ ...sealed, ct: Buffer.from('tampered').toString('base64') }), SecretUnreadable);
    assert.throws(() => a.open({ password: 'x' }), SecretUnreadable);
  });

  test('without SECRET_KEY a key is generated once into the data directory with mode 0600; SECRET_KEY must be 32 bytes of base64', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-secrets-'));
    const first = Secrets.load({ dataDir: dir });
    const second = Secrets.load({ dataDir: dir });
    assert.equal(first.kid, second.kid, 'the same key on the next start');
    assert.equal(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
    const key = randomBytes(32).toString('base64');
    assert.equal(Secrets.load({ secretKey: key, dataDir: dir }).kid, new Secrets(Buffer.from(key, 'base64')).kid);
    assert.throws(() => parseSecretKey(randomBytes(16).toString('base64'), 'SECRET_KEY'), /SECRET_KEY: expected 32 bytes/);
  });
});

describe('channel connections', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let addressId: string;
  const rawSecrets = async (id: string) => rowsOf<{ secrets: string }>(await t.database.db.execute(sql`select secrets::text as secrets from channel_connections where id = ${id}`))[0]?.secrets ?? '';

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    const address = await t.as(admin).post('/api/v1/email/addresses', { address: 'help@example.org', name: 'Help' });
    assert.equal(address.status, 201, address.raw);
    addressId = address.body.id;
  });
  after(async () => {
    await t?.close();
  });

  const createMailbox = async (password: string) => {
    // Port 1 on loopback: nothing listens, so no poller of this test reaches a server.
    const res = await t.as(admin).post('/api/v1/email/mailboxes', { addressId, host: '127.0.0.1', port: 1, secure: false, username: 'help', password });
    assert.equal(res.status, 201, res.raw);
    return res.body.id as string;
  };

  test('an IMAP password is stored sealed: the raw row has no plain password, the API never returns it, the poller gets it', async () => {
    const id = await createMailbox('plain-password-123');
    const raw = await rawSecrets(id);
    assert.ok(raw.length > 0);
    assert.ok(!raw.includes('plain-password-123'), `the row holds ${raw}`);
    assert.match(raw, /"kid":/);
    const viaApi = await t.as(admin).get(`/api/v1/email/mailboxes/${id}`);
    assert.equal(viaApi.status, 200);
    assert.equal(viaApi.body.password, undefined);
    assert.ok(!viaApi.raw.includes('plain-password-123'));
    assert.equal((await t.services.email.addresses.getMailbox(id)).password, 'plain-password-123');

    await t.as(admin).patch(`/api/v1/email/mailboxes/${id}`, { password: 'second-password-456' });
    assert.ok(!(await rawSecrets(id)).includes('second-password-456'));
    assert.equal((await t.services.email.addresses.getMailbox(id)).password, 'second-password-456');
    const list = await t.as(admin).get('/api/v1/channels/connections');
    assert.ok(!list.raw.includes('password'));
    await t.as(admin).delete(`/api/v1/email/mailboxes/${id}`);
  });

  test('the stored password goes only where it went before: another host, port, user or weaker TLS needs it typed again', async () => {
    const id = await createMailbox('do-not-send-elsewhere');
    for (const change of [{ host: 'imap.evil.example' }, { port: 2 }, { username: 'other' }, { tlsVerify: false }]) {
      const res = await t.as(admin).patch(`/api/v1/email/mailboxes/${id}`, change);
      assert.equal(res.status, 400, `${JSON.stringify(change)}: ${res.raw}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.errors[0].path, 'body.password');
    }
    const unchanged = (await t.as(admin).get(`/api/v1/email/mailboxes/${id}`)).body;
    assert.equal(unchanged.host, '127.0.0.1');
    assert.equal(unchanged.port, 1);
    // With the password, the same change is an ordinary edit; a change elsewhere (the folder) needs none.
    assert.equal((await t.as(admin).patch(`/api/v1/email/mailboxes/${id}`, { port: 2, password: 'typed-again-789' })).status, 200);
    assert.equal((await t.as(admin).patch(`/api/v1/email/mailboxes/${id}`, { folder: 'Support' })).status, 200);
    await t.as(admin).delete(`/api/v1/email/mailboxes/${id}`);
  });

  test('a password sealed under another key marks the connection failed with the reason, once, and its poller stops', async () => {
    const id = await createMailbox('right-key');
    const other = new Secrets(randomBytes(32));
    await t.database.db.execute(sql`update channel_connections set secrets = ${JSON.stringify(other.seal({ password: 'right-key' }))}::jsonb where id = ${id}`);

    const poller = new MailboxPoller(t.services.ctx, t.services.email.addresses, t.services.email.inbound, id, 60_000);
    poller.start();
    // The loop ends on its own: stop() returns at once rather than after a reconnect delay.
    const until = Date.now() + 5_000;
    let state = (await t.as(admin).get('/api/v1/channels/connections')).body.items.find((c: { id: string }) => c.id === id);
    while (state.status !== 'failed' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      state = (await t.as(admin).get('/api/v1/channels/connections')).body.items.find((c: { id: string }) => c.id === id);
    }
    await poller.stop();
    await new Promise((r) => setTimeout(r, 200));
    state = (await t.as(admin).get('/api/v1/channels/connections')).body.items.find((c: { id: string }) => c.id === id);
    assert.equal(state.kind, 'imap');
    assert.equal(state.status, 'failed');
    assert.match(state.lastError, /Cannot decrypt the stored secret: the secret was encrypted with key [0-9a-f]+, this process has key/);
    assert.equal(state.failureCount, 1, 'not retried');
    assert.equal(state.secrets, undefined);
    const mailbox = await t.as(admin).get(`/api/v1/email/mailboxes/${id}`);
    assert.equal(mailbox.body.status, 'failed');

    // Entering the password again lifts the mark.
    const fixed = await t.as(admin).patch(`/api/v1/email/mailboxes/${id}`, { password: 'right-key' });
    assert.equal(fixed.status, 200, fixed.raw);
    assert.equal(fixed.body.status, 'active');
    assert.equal((await t.services.email.addresses.getMailbox(id)).password, 'right-key');
    await t.as(admin).delete(`/api/v1/email/mailboxes/${id}`);
  });

  test('a password a migration copied in the clear is sealed at start-up', async () => {
    const id = await createMailbox('to-be-replaced');
    await t.database.db.execute(sql`update channel_connections set secrets = '{"plain":{"password":"migrated-pw"}}'::jsonb where id = ${id}`);
    assert.equal(await t.services.channels.sealPending(), 1);
    assert.equal(await t.services.channels.sealPending(), 0, 'idempotent');
    assert.ok(!(await rawSecrets(id)).includes('migrated-pw'));
    assert.equal((await t.services.email.addresses.getMailbox(id)).password, 'migrated-pw');
    // A process that reads one before any start-up sealed it (a worker) seals it on the way, rather than failing it.
    await t.database.db.execute(sql`update channel_connections set secrets = '{"plain":{"password":"read-first"}}'::jsonb where id = ${id}`);
    assert.equal((await t.services.email.addresses.getMailbox(id)).password, 'read-first');
    assert.ok(!(await rawSecrets(id)).includes('read-first'));
    assert.equal((await t.as(admin).get(`/api/v1/email/mailboxes/${id}`)).body.status, 'active');
    await t.as(admin).delete(`/api/v1/email/mailboxes/${id}`);
  });

  test('connection health is for admins only', async () => {
    const id = await createMailbox('pw');
    const list = await t.as(admin).get('/api/v1/channels/connections');
    assert.equal(list.status, 200);
    const row = list.body.items.find((c: { id: string }) => c.id === id);
    assert.deepEqual(Object.keys(row).sort(), ['createdAt', 'failureCount', 'id', 'kind', 'lastError', 'lastErrorAt', 'lastSuccessAt', 'name', 'status', 'syncState', 'updatedAt']);
    assert.equal(row.name, 'help@127.0.0.1');
    assert.equal((await t.as(agent).get('/api/v1/channels/connections')).status, 403);
    assert.equal((await t.as(null).get('/api/v1/channels/connections')).status, 401);
    await t.as(admin).delete(`/api/v1/email/mailboxes/${id}`);
  });
});
