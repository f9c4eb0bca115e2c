import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * Real-world mail through the whole pipeline: Mailman's bounce corpus (bounces from ~30 MTAs) and CPython's
 * email test messages (MIME edge cases), unpacked from Debian packages by test/corpora/fetch.sh (CI runs it).
 * Every message is stored, none crashes the worker, bounces open no tickets; plus reply threads as clients write them.
 */
const CORPORA = path.resolve('.cache/mail-corpora');
const present = fs.existsSync(path.join(CORPORA, 'flufl-bounce')) && fs.existsSync(path.join(CORPORA, 'python-email'));
const skip = !present && !process.env.CI ? 'run test/corpora/fetch.sh to unpack the mail corpora' : false;

type Row = { id: string; file?: string; status: string; outcome: string | null; error: string | null; ticket_id: string | null; dedupe_key: string };

describe('real-world mail corpora', { skip }, () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  async function run(dir: string): Promise<{ files: number; rows: Row[] }> {
    await t.database.db.execute('delete from inbound_emails');
    const root = path.join(CORPORA, dir);
    const files = fs.readdirSync(root).filter((f) => f.endsWith('.txt'));
    const fileOf = new Map<string, string>();
    for (const f of files) {
      const accepted = await t.services.email.inbound.accept(fs.readFileSync(path.join(root, f)), { source: 'http', envelopeTo: ['support@localhost'] });
      assert.ok(accepted.id, f);
      if (!accepted.duplicate) fileOf.set(accepted.id, f);
    }
    await t.runJobs();
    const res = await t.database.db.execute('select id, status, outcome, error, ticket_id, dedupe_key from inbound_emails');
    return { files: files.length, rows: (res as unknown as { rows: Row[] }).rows.map((r) => ({ ...r, file: fileOf.get(r.id) })) };
  }

  async function workerNeverCrashed() {
    const res = await t.database.db.execute("select count(*)::int as n from jobs where kind = 'email.inbound' and status <> 'done'");
    assert.equal((res as unknown as { rows: { n: number }[] }).rows[0]?.n, 0, 'every processing job finished (none threw and waits for a retry)');
  }

  test('bounces from many MTAs are recognised and never open a ticket', async () => {
    const { files, rows } = await run('flufl-bounce');
    assert.ok(files >= 100, `corpus has ${files} messages`);
    assert.equal(rows.filter((r) => r.status === 'received').length, 0);
    // Two messages of the corpus are not bounces: a person's reply (GroupWise) and an out-of-office (qmail).
    const notBounces = new Set(['groupwise_03.txt', 'qmail_08.txt']);
    const notices = rows.filter((r) => r.outcome?.startsWith('bounce') || r.outcome === 'delivery delay notice');
    const missed = rows.filter((r) => !notBounces.has(r.file ?? '') && !notices.includes(r)).map((r) => `${r.file}: ${r.outcome ?? r.error}`);
    assert.deepEqual(missed, [], 'every bounce is recognised (Yahoo, Sina, qmail and other free-form notices included)');
    assert.ok(notices.every((r) => r.ticket_id === null), 'a bounce of no message of ours opens nothing');
    const tickets = rows.filter((r) => r.ticket_id !== null).map((r) => r.file);
    assert.deepEqual(tickets, ['groupwise_03.txt'], "no bounce becomes a ticket; the person's reply does");
    for (const r of rows.filter((x) => x.status === 'failed')) assert.ok(r.error, 'a failed message says why');
    await workerNeverCrashed();
  });

  test('MIME edge cases are stored and processed, or kept as failed with the reason', async () => {
    const { files, rows } = await run('python-email');
    assert.ok(files >= 40);
    // Some test messages are byte-identical or share a Message-ID: stored once each.
    assert.equal(new Set(rows.map((r) => r.dedupe_key)).size, rows.length);
    assert.equal(rows.filter((r) => r.status === 'received').length, 0);
    const failed = rows.filter((r) => r.status === 'failed');
    for (const r of failed) assert.match(r.error ?? '', /\S/);
    assert.ok(rows.filter((r) => r.status === 'processed').length >= 30, 'most become tickets');
    await workerNeverCrashed();
  });
});

describe('reply threads as mail clients write them', () => {
  let t: TestApp;
  let agent: Session;

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
  });
  after(() => t.close());

  const mail = (headers: string[], body: string) => Buffer.from([...headers, '', body, ''].join('\r\n'));
  const accept = (raw: Buffer) => t.services.email.inbound.accept(raw, { source: 'http', envelopeTo: ['support@localhost'] });

  test('replies from Gmail, Outlook and Apple Mail group on one ticket, each with only its new text', async () => {
    // Kim and Lee are of one organisation that shares its tickets: Lee may answer Kim's thread (a stranger's
    // In-Reply-To opens a ticket of its own; test/security/mail-scope.test.ts).
    const district = await t.make.organization({ name: 'Example district', domains: ['example.org'], sharedTickets: true });
    await t.signIn('customer', { email: 'lee@example.org', organizationId: district.id });
    await accept(mail(['From: Kim <kim@example.org>', 'To: support@localhost', 'Subject: Sync stuck at 40%', 'Message-ID: <t0@example.org>'], 'The sync stops at 40% on every tablet.'));
    await accept(
      mail(
        ['From: Kim <kim@example.org>', 'To: support@localhost', 'Subject: Re: Sync stuck at 40%', 'Message-ID: <t1@mail.gmail.com>', 'In-Reply-To: <t0@example.org>', 'References: <t0@example.org>'],
        'It also happens on wifi.\r\n\r\nOn Mon, Mar 2, 2026 at 9:00 AM Kim <kim@example.org> wrote:\r\n> The sync stops at 40% on every tablet.\r\n',
      ),
    );
    await accept(
      mail(
        ['From: Lee <lee@example.org>', 'To: support@localhost', 'Cc: kim@example.org', 'Subject: RE: Sync stuck at 40%', 'Message-ID: <t2@outlook.example.org>', 'References: <t0@example.org> <t1@mail.gmail.com>'],
        'Same for our district.\r\n\r\n-----Original Message-----\r\nFrom: Kim <kim@example.org>\r\nSent: Monday, March 2, 2026 9:05 AM\r\nTo: support@localhost\r\nSubject: Re: Sync stuck at 40%\r\n\r\nIt also happens on wifi.\r\n',
      ),
    );
    await accept(
      mail(
        ['From: Kim <kim@example.org>', 'To: support@localhost', 'Subject: Re: Sync stuck at 40%', 'Message-ID: <t3@icloud.example.org>', 'In-Reply-To: <t2@outlook.example.org>'],
        'Restarting did not help.\r\n\r\nSent from my iPhone\r\n\r\n> On 2 Mar 2026, at 09:10, Lee <lee@example.org> wrote:\r\n>\r\n> Same for our district.\r\n',
      ),
    );
    await t.runJobs();
    const tickets = (await t.as(agent).get('/api/v1/tickets')).body.items as any[];
    assert.equal(tickets.length, 1, 'one thread, one ticket');
    const messages = (await t.as(agent).get(`/api/v1/tickets/${tickets[0].id}/messages`)).body.items as any[];
    // All four were processed at the same fake instant, so compare them as a set.
    const texts = messages.map((m) => m.bodyText).sort();
    assert.deepEqual(texts, ['It also happens on wifi.', 'Restarting did not help.', 'Same for our district.', 'The sync stops at 40% on every tablet.']);
  });
});
