import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { type Session, smtpDialogue, startTestApp, type TestApp } from '../../testing/harness.js';
import { startSmtpListener } from './smtp-listener.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The three doors and bad input: every message is stored or refused with a reason; none crashes anything. */
describe('inbound email: doors and bad input', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let smtp: Awaited<ReturnType<TestApp['smtp']>>;
  let relayToken: string;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    smtp = await t.smtp();
    relayToken = (await t.as(admin).post('/api/v1/tokens', { name: 'mail relay', scopes: ['inbound:email'] })).body.token;
  });
  after(() => t.close());

  const inboundList = async (status?: string) => (await t.as(admin).get(`/api/v1/inbound/emails?limit=200${status ? `&status=${status}` : ''}`)).body.items as any[];
  const ticketBySubject = async (subject: string) => ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[]).find((x) => x.subject === subject);
  const firstMessage = async (ticketId: string) => ((await t.as(agent).get(`/api/v1/tickets/${ticketId}/messages`)).body.items as any[])[0];
  const post = (raw: Buffer | string, query = '?to=support@localhost', token = relayToken) =>
    t.request('POST', `/api/v1/inbound/email${query}`, raw, { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' });

  test('SMTP refuses recipients it does not serve (no open relay), and stores nothing', async () => {
    const before = await t.count('inbound_emails');
    await assert.rejects(smtp.send({ from: 'a@example.org', to: 'someone@elsewhere.example.org', subject: 'Relay?', text: 'x' }), (err: any) => {
      assert.equal(err.responseCode, 550);
      assert.match(err.response, /does not relay/);
      return true;
    });
    assert.equal(await t.count('inbound_emails'), before);
  });

  test('with a certificate configured the listener offers STARTTLS, and mail sent over TLS is stored', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
    assert.equal(made.status, 0, made.stderr?.toString());
    const listener = await startSmtpListener(t.services.email.inbound, t.services.email.addresses, { ...t.config.smtp, host: '127.0.0.1', port: 0, tlsKeyFile: key, tlsCertFile: cert });
    try {
      const hello = await smtpDialogue(listener.port, ['EHLO test.example.org', 'QUIT']);
      assert.match(hello[1] as string, /STARTTLS/);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      const sent = await transport.sendMail({ from: 'tls@example.org', to: 'support@localhost', subject: 'Over TLS', text: 'Encrypted on the wire.' });
      transport.close();
      assert.match(String(sent.response), /^250 /);
    } finally {
      await listener.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Without certificates STARTTLS is not offered at all (rather than offered and failing).
    const plain = await smtp.dialogue(['EHLO test.example.org', 'QUIT']);
    assert.doesNotMatch(plain[1] as string, /STARTTLS/);
  });

  test('a message over the size limit is answered 552; an empty one 554', async () => {
    const before = await t.count('inbound_emails');
    // 50 MB against the default 30 MB limit, over the wire.
    const big = Buffer.alloc(50 * 1024 * 1024, 'a');
    for (let i = 76; i < big.length; i += 78) big.write('\r\n', i);
    await assert.rejects(
      smtp.send({ envelope: { from: 'big@example.org', to: ['support@localhost'] }, raw: Buffer.concat([crlf(['From: big@example.org', 'Subject: Big', '', '']), big]) }),
      (err: any) => err.responseCode === 552,
    );
    const replies = await smtp.dialogue(['EHLO test.example.org', 'MAIL FROM:<empty@example.org>', 'RCPT TO:<support@localhost>', 'DATA', '.', 'QUIT']);
    assert.match(replies[4] as string, /^354/);
    assert.match(replies[5] as string, /^554 .*empty/);
    assert.equal(await t.count('inbound_emails'), before);
  });

  test('the HTTP door takes raw MIME with a scoped token; duplicates and unserved addresses are told apart', async () => {
    const raw = crlf(['From: Relay User <relay@example.org>', 'To: support@localhost', 'Subject: Via relay', 'Message-ID: <relay-1@example.org>', '', 'Sent through an inbound-parse service.', '']);
    const first = await post(raw);
    assert.equal(first.status, 202, first.raw);
    assert.equal(first.body.duplicate, false);
    const again = await post(raw);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { id: first.body.id, duplicate: true });
    // Without ?to= the headers name the recipient.
    const byHeader = await post(crlf(['From: relay@example.org', 'To: "Support" <support@localhost>', 'Subject: Header routed', '', 'x', '']), '');
    assert.equal(byHeader.status, 202, byHeader.raw);
    const unserved = await post(crlf(['From: relay@example.org', 'To: other@example.org', 'Subject: Nope', '', 'x', '']), '');
    assert.equal(unserved.status, 422);
    assert.equal(unserved.body.code, 'ADDRESS_NOT_SERVED');
    const empty = await post(Buffer.alloc(0));
    assert.equal(empty.status, 422);
    assert.equal(empty.body.code, 'INVALID_EMAIL');
    const tooBig = await post(Buffer.alloc(t.config.smtp.maxBytes + 1, 'a'));
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.code, 'PAYLOAD_TOO_LARGE');
    const agentToken = (await t.as(agent).post('/api/v1/tokens', { name: 'mine', scopes: ['tickets:read'] })).body.token;
    assert.equal((await post(raw, '?to=support@localhost', agentToken)).status, 403);
    await t.runJobs();
    assert.ok(await ticketBySubject('Via relay'));
    assert.ok(await ticketBySubject('Header routed'));
  });

  test('broken MIME, unknown charsets and missing headers are stored and processed or kept as failed with a reason', async () => {
    const cases: Record<string, Buffer> = {
      brokenBoundary: crlf([
        'From: a1@example.org',
        'To: support@localhost',
        'Subject: Broken boundary',
        'Content-Type: multipart/mixed; boundary="never-used"',
        '',
        '--some-other-boundary',
        'Content-Type: text/plain',
        '',
        'Text in a part whose boundary is wrong.',
        '',
      ]),
      unknownCharset: crlf(['From: a2@example.org', 'To: support@localhost', 'Subject: Unknown charset', 'Content-Type: text/plain; charset=x-klingon-42', '', 'Qapla!', '']),
      koi8: Buffer.concat([
        crlf(['From: =?koi8-r?B?8NLJ18XU?= <a3@example.org>', 'To: support@localhost', 'Subject: =?koi8-r?B?8NLJ18XU?=', 'Content-Type: text/plain; charset=koi8-r', '', '']),
        Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x0d, 0x0a]),
      ]),
      latin1: Buffer.concat([
        crlf(['From: a4@example.org', 'To: support@localhost', 'Subject: =?iso-8859-1?Q?Caf=E9_cr=E8me?=', 'Content-Type: text/plain; charset=iso-8859-1', '', '']),
        Buffer.from('Gr\xfc\xdfe aus K\xf6ln\r\n', 'latin1'),
      ]),
      garbageInReplyTo: crlf(['From: a5@example.org', 'To: support@localhost', 'Subject: Garbage reply header', 'In-Reply-To: <<<>>> not an id @@', 'References: ((((', '', 'Hello', '']),
      noSender: crlf(['To: support@localhost', 'Subject: Nobody sent this', '', 'Where from?', '']),
      headersOnly: crlf(['From: a6@example.org', 'To: support@localhost', 'Subject: Headers only']),
      binaryGarbage: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    };
    for (const [name, raw] of Object.entries(cases)) {
      const res = await post(raw);
      assert.ok(res.status === 202, `${name}: ${res.status} ${res.raw}`);
    }
    await t.runJobs();
    const rows = await inboundList();
    assert.equal(rows.filter((r) => r.status === 'received').length, 0, 'every message was processed one way or another');
    assert.ok(await ticketBySubject('Broken boundary'));
    assert.ok(await ticketBySubject('Unknown charset'));
    assert.ok(await ticketBySubject('Garbage reply header'));
    assert.ok(await ticketBySubject('Headers only'));
    const koi8 = await ticketBySubject('Привет');
    assert.ok(koi8, 'koi8-r subject decoded');
    assert.equal(koi8.requester.name, 'Привет');
    assert.match((await firstMessage(koi8.id)).bodyText, /Привет/);
    const latin = await ticketBySubject('Café crème');
    assert.match((await firstMessage(latin.id)).bodyText, /Grüße aus Köln/);
    const failed = await inboundList('failed');
    const noSender = failed.find((r) => r.subject === 'Nobody sent this' || r.error?.includes('no sender'));
    assert.ok(noSender, 'the message without a sender is kept as failed');
    assert.match(noSender.error, /names no sender/);
    assert.ok(failed.length >= 1);
  });

  test('header injection in subjects and names stays text: no extra headers or recipients on the auto-reply', async () => {
    const evilSubject = `=?utf-8?B?${b64('Hello\r\nBcc: victim@example.org\r\nX-Evil: 1')}?=`;
    const evilName = `=?utf-8?B?${b64('Eve\r\nBcc: victim2@example.org')}?=`;
    await post(crlf([`From: ${evilName} <eve@example.org>`, 'To: support@localhost', `Subject: ${evilSubject}`, '', 'Hi', '']));
    await t.runJobs();
    const ticket = ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[]).find((x) => x.requester.email === 'eve@example.org');
    assert.ok(!/[\r\n]/.test(ticket.subject));
    assert.ok(!/[\r\n]/.test(ticket.requester.name));
    const ack = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).find((m) => m.ticketId === ticket.id);
    assert.deepEqual(ack.recipients, ['eve@example.org']);
    const raw = (await t.as(admin).get(`/api/v1/outbox/${ack.id}/raw`)).raw;
    const head = raw.split('\r\n\r\n')[0] as string;
    assert.ok(!/^bcc:/im.test(head) && !/^x-evil:/im.test(head), head);
    const parsed = await simpleParser(raw);
    assert.equal(parsed.bcc, undefined);
  });

  test('HTML is sanitised; inline cid: images become attachments, scripts are dropped, remote images held (data-remote-src)', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const raw = crlf([
      'From: html@example.org',
      'To: support@localhost',
      'Subject: HTML mail',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="R"',
      '',
      '--R',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p onclick="steal()">Screenshot: <img src="cid:shot@x"><img src="https://tracker.example.org/p.gif"></p><script>alert(1)</script><form action="https://x"><input name="pw"></form><a href="javascript:alert(1)">link</a>',
      '--R',
      'Content-Type: image/png; name="shot.png"',
      'Content-ID: <shot@x>',
      'Content-Disposition: inline; filename="shot.png"',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--R--',
      '',
    ]);
    await post(raw);
    await t.runJobs();
    const ticket = await ticketBySubject('HTML mail');
    const message = await firstMessage(ticket.id);
    assert.ok(!/script|onclick|<form|<input|javascript:|\ssrc="https:\/\/tracker\.example/i.test(message.bodyHtml), message.bodyHtml);
    assert.ok(message.bodyHtml.includes('<img data-remote-src="https://tracker.example.org/p.gif" />'), message.bodyHtml);
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0].filename, 'shot.png');
    assert.ok(message.bodyHtml.includes(`/api/v1/attachments/${message.attachments[0].id}`), message.bodyHtml);
  });

  test('a message that failed for a passing reason is processed when an admin retries it', async () => {
    const res = await post(crlf(['From: retry@example.org', 'To: support@localhost', 'Subject: Retry me', '', 'Hello', '']));
    // The stored sources become unreadable, for real, before the worker reads this one.
    await t.database.db.execute('alter table email_raw rename to email_raw_away');
    await t.runJobs();
    const failed = (await t.as(admin).get(`/api/v1/inbound/emails/${res.body.id}`)).body;
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /email_raw/);
    await t.database.db.execute('alter table email_raw_away rename to email_raw');
    const retried = await t.as(admin).post(`/api/v1/inbound/emails/${res.body.id}/retry`);
    assert.equal(retried.status, 200);
    assert.equal(retried.body.status, 'received');
    await t.runJobs();
    assert.equal((await t.as(admin).get(`/api/v1/inbound/emails/${res.body.id}`)).body.status, 'processed');
    assert.ok(await ticketBySubject('Retry me'));
    const again = await t.as(admin).post(`/api/v1/inbound/emails/${res.body.id}/retry`);
    assert.equal(again.status, 422);
    assert.equal(again.body.code, 'NOT_RETRYABLE');
  });

  test('support addresses: bad templates, unknown groups and duplicates are refused with the field named', async () => {
    const badTemplate = await t.as(admin).post('/api/v1/email/addresses', { address: 'hi@example.org', name: 'Hi', autoReplyBody: 'Hello {{ ticket.number | no_such_filter }}' });
    assert.equal(badTemplate.status, 422);
    assert.equal(badTemplate.body.code, 'INVALID_TEMPLATE');
    assert.equal(badTemplate.body.errors[0].path, 'body.autoReplyBody');
    const badGroup = await t.as(admin).post('/api/v1/email/addresses', { address: 'hi@example.org', name: 'Hi', groupId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(badGroup.status, 422);
    const injectedName = await t.as(admin).post('/api/v1/email/addresses', { address: 'hi@example.org', name: 'Hi\r\nBcc: x@example.org' });
    assert.equal(injectedName.status, 400);
    const dup = await t.as(admin).post('/api/v1/email/addresses', { address: 'SUPPORT@localhost', name: 'Again' });
    assert.equal(dup.status, 409);
    assert.equal((await t.as(agent).post('/api/v1/email/addresses', { address: 'x@example.org', name: 'X' })).status, 403);
    const count = (await t.as(admin).get('/api/v1/email/addresses')).body.items.length;
    assert.equal(count, 1, 'nothing was created');
    // A PATCH changes what it sends and nothing else.
    const hi = await t.as(admin).post('/api/v1/email/addresses', { address: 'hi@example.org', name: 'Hi', autoReply: false, selfHelpLinks: [{ title: 'FAQ', url: 'https://example.org/faq' }] });
    const renamed = await t.as(admin).patch(`/api/v1/email/addresses/${hi.body.id}`, { name: 'Say hi' });
    assert.deepEqual([renamed.body.name, renamed.body.autoReply, renamed.body.selfHelpLinks.length], ['Say hi', false, 1]);
  });

  test("new email tickets get the group of the address they came to, else the default address's group", async () => {
    const front = await t.make.group('Front desk', [agent]);
    const sales = await t.make.group('Sales desk', [agent]);
    const support = ((await t.as(admin).get('/api/v1/email/addresses')).body.items as { id: string; address: string }[]).find((a) => a.address === 'support@localhost');
    assert.equal((await t.as(admin).patch(`/api/v1/email/addresses/${support?.id}`, { groupId: front.id, isDefault: true })).status, 200);
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'sales@example.org', name: 'Sales', groupId: sales.id })).status, 201);
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'nogroup@example.org', name: 'No group' })).status, 201);
    for (const to of ['sales@example.org', 'nogroup@example.org']) {
      const res = await post(crlf([`From: Routed <routed@example.org>`, `To: ${to}`, `Subject: Routed to ${to}`, '', 'x', '']), `?to=${to}`);
      assert.equal(res.status, 202, res.raw);
    }
    await t.runJobs();
    assert.equal((await ticketBySubject('Routed to sales@example.org'))?.groupId, sales.id, "the address's own group");
    assert.equal((await ticketBySubject('Routed to nogroup@example.org'))?.groupId, front.id, 'no group on the address: the default group');
  });
});
