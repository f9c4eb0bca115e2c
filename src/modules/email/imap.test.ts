import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { type Dovecot, dovecotInstalled, startDovecot } from '../../testing/dovecot.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { imapClient, MailboxPoller, syncMailbox } from './imap-poller.js';

// CI installs Dovecot (.ci/run); on a developer machine without it the suite says so instead of passing quietly.
const skip = !dovecotInstalled() && !process.env.CI ? 'dovecot-imapd is not installed (apt-get install dovecot-imapd)' : false;

describe('IMAP mailboxes against a real Dovecot', { skip }, () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let dovecot: Dovecot;
  let mailboxId: string;
  let groupId: string;

  const message = (n: string) =>
    Buffer.from(
      [`From: Field Worker <worker${n}@clinic.example.org>`, 'To: feedback@example.org', `Subject: Feedback ${n}`, `Message-ID: <imap-${n}@clinic.example.org>`, '', `Feedback number ${n}.`, ''].join(
        '\r\n',
      ),
    );

  const serverClient = () => new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
  async function append(...ns: string[]) {
    const c = serverClient();
    await c.connect();
    for (const n of ns) await c.append('INBOX', message(n));
    await c.logout();
  }
  async function seenFlags(): Promise<Map<number, boolean>> {
    const c = serverClient();
    await c.connect();
    await c.mailboxOpen('INBOX');
    const out = new Map<number, boolean>();
    for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags?.has('\\Seen') ?? false);
    await c.logout();
    return out;
  }
  async function sync() {
    const mailbox = await t.services.email.addresses.getMailbox(mailboxId);
    const client = imapClient(mailbox);
    await client.connect();
    try {
      return await syncMailbox(t.services.ctx, t.services.email.inbound, mailbox, client);
    } finally {
      await client.logout();
    }
  }
  const mailboxState = async () => (await t.as(admin).get(`/api/v1/email/mailboxes/${mailboxId}`)).body;

  before(async () => {
    dovecot = await startDovecot();
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    groupId = (await t.make.group('Feedback triage', [agent])).id;
    const address = await t.as(admin).post('/api/v1/email/addresses', { address: 'feedback@example.org', name: 'Feedback', groupId, type: 'feedback' });
    assert.equal(address.status, 201, address.raw);
    const created = await t.as(admin).post('/api/v1/email/mailboxes', {
      addressId: address.body.id,
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      username: dovecot.user,
      password: dovecot.password,
    });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.body.password, undefined, 'the password never comes back');
    mailboxId = created.body.id;
  });
  after(async () => {
    await t?.close();
    await dovecot?.stop();
  });

  test('a pass stores every new message, flags it only after storing, and advances the cursor', async () => {
    await append('1', '2', '3');
    assert.deepEqual([...(await seenFlags()).values()], [false, false, false]);
    const first = await sync();
    assert.equal(first.stored, 3);
    assert.deepEqual([...(await seenFlags()).values()], [true, true, true]);
    const state = await mailboxState();
    assert.equal(state.lastUid, 3);
    assert.ok(state.uidValidity > 0);
    assert.ok(state.lastSyncAt);

    await t.runJobs();
    const tickets = (await t.as(agent).get('/api/v1/tickets')).body.items as any[];
    assert.equal(tickets.length, 3);
    for (const ticket of tickets) {
      assert.equal(ticket.groupId, groupId, "routed to the address's group");
      assert.equal(ticket.type, 'feedback');
    }

    await append('4');
    const second = await sync();
    assert.equal(second.stored, 1, 'only what is above the cursor');
    await t.runJobs();
    assert.equal(await t.count('tickets'), 4);
  });

  test('when storing fails the message stays unflagged and the cursor stays, so the next pass gets it', async () => {
    await append('5');
    // Break storage for real: the table raw messages go to is not there.
    await t.database.db.execute('alter table email_raw rename to email_raw_away');
    await assert.rejects(sync());
    const flags = await seenFlags();
    assert.equal(flags.get(5), false);
    assert.equal((await mailboxState()).lastUid, 4);
    await t.database.db.execute('alter table email_raw_away rename to email_raw');
    assert.equal((await sync()).stored, 1);
    assert.equal((await seenFlags()).get(5), true);
  });

  test('a new UIDVALIDITY restarts the cursor, and re-read messages are duplicates that change nothing', async () => {
    await t.runJobs();
    const tickets = await t.count('tickets');
    const inbound = await t.count('inbound_emails');
    await t.database.db.execute(`update channel_connections set cursor = jsonb_set(cursor, '{uidValidity}', '1') where id = '${mailboxId}'`);
    const pass = await sync();
    assert.equal(pass.stored, 5, 'all five re-read');
    await t.runJobs();
    assert.equal(await t.count('inbound_emails'), inbound);
    assert.equal(await t.count('tickets'), tickets);
  });

  test('the poller picks up new mail through IDLE and reports its health; a dead server is shown as such', async () => {
    const poller = new MailboxPoller(t.services.ctx, t.services.email.addresses, t.services.email.inbound, mailboxId, 60_000);
    poller.start();
    try {
      const until = Date.now() + 10_000;
      while (!(await mailboxState()).connected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await mailboxState()).connected, true);
      const before = await t.count('inbound_emails');
      await append('6');
      // The poll interval is a minute; only IDLE's EXISTS can bring it in this fast.
      while ((await t.count('inbound_emails')) === before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await t.count('inbound_emails'), before + 1);
    } finally {
      await poller.stop();
    }
    assert.equal((await mailboxState()).connected, false);

    // Wrong credentials: the error and the failure count are visible to admins.
    await t.as(admin).patch(`/api/v1/email/mailboxes/${mailboxId}`, { password: 'wrong' });
    const failing = new MailboxPoller(t.services.ctx, t.services.email.addresses, t.services.email.inbound, mailboxId, 60_000);
    failing.start();
    const until = Date.now() + 10_000;
    while ((await mailboxState()).failureCount === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await failing.stop();
    const state = await mailboxState();
    assert.ok(state.failureCount >= 1);
    assert.ok(state.lastError);
    assert.equal(state.connected, false);
  });

  test('bad mailbox settings are refused with the field named', async () => {
    const res = await t.as(admin).post('/api/v1/email/mailboxes', { addressId: '00000000-0000-4000-8000-000000000000', host: 'x', username: 'u', password: 'p' });
    assert.equal(res.status, 422, res.raw);
    assert.equal(res.body.errors[0].path, 'body.addressId');
    const move = await t.as(admin).patch(`/api/v1/email/mailboxes/${mailboxId}`, { afterStore: 'move' });
    assert.equal(move.status, 400, move.raw);
    assert.equal(move.body.errors[0].path, 'body.moveTo');
  });

  test('"Test the connection" says in words whether the saved settings work, and never shows the password', async () => {
    const check = async (patch: Record<string, unknown>) => {
      const saved = await t.as(admin).patch(`/api/v1/email/mailboxes/${mailboxId}`, patch);
      assert.equal(saved.status, 200, saved.raw);
      const res = await t.as(admin).post(`/api/v1/email/mailboxes/${mailboxId}/test`, {});
      assert.equal(res.status, 200, res.raw);
      assert.ok(!res.raw.includes(dovecot.password) && !res.raw.includes('s3cret-but-wrong'), 'the password is never echoed');
      return res.body as { ok: boolean; message: string; messages: number | null };
    };
    const good = await check({ password: dovecot.password, folder: 'INBOX', port: dovecot.port });
    assert.equal(good.ok, true, good.message);
    assert.match(good.message, /signed in as .*INBOX holds \d+ message/);
    assert.equal(typeof good.messages, 'number');
    const wrong = await check({ password: 's3cret-but-wrong' });
    assert.deepEqual([wrong.ok, /refused the username or password/.test(wrong.message)], [false, true], wrong.message);
    const folder = await check({ password: dovecot.password, folder: 'No such folder' });
    assert.deepEqual([folder.ok, /folder No such folder could not be opened/.test(folder.message)], [false, true], folder.message);
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const nobody = await check({ folder: 'INBOX', host: '127.0.0.1', port: closed, password: dovecot.password });
    assert.deepEqual([nobody.ok, /Nothing accepts connections/.test(nobody.message)], [false, true], nobody.message);
    assert.equal((await t.as(agent).post(`/api/v1/email/mailboxes/${mailboxId}/test`, {})).status, 403);
    assert.equal((await t.as(admin).post('/api/v1/email/mailboxes/00000000-0000-4000-8000-000000000000/test', {})).status, 404);
    await t.as(admin).patch(`/api/v1/email/mailboxes/${mailboxId}`, { host: dovecot.host, port: dovecot.port, password: dovecot.password });
  });
});
