import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, items 5 and 13: nothing accepted is silently lost. A reused Message-ID does not drop a different
 * message; a NUL byte, an unusual but valid sender address or a free-form Message-ID does not keep a message from
 * becoming a ticket; free-form bounces do not become tickets. Over real SMTP to the built-in listener.
 */
describe('mail intake: nothing accepted is silently lost', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let smtp: Awaited<ReturnType<TestApp['smtp']>>;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    smtp = await t.smtp();
  });
  after(() => t.close());

  const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));
  const sendRaw = (raw: Buffer, from = 'sender@example.org') => smtp.send({ envelope: { from, to: ['support@localhost'] }, raw });
  const tickets = async () => (await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[];
  const ticketBySubject = async (subject: string) => (await tickets()).find((x) => x.subject === subject);
  const messagesOf = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}/messages`)).body.items as any[];
  const inbound = async () => (await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items as any[];

  describe('item 5: duplicates are the same message, not the same Message-ID', () => {
    test('a different message reusing a Message-ID (another sender, or other content) is kept and processed', async () => {
      const first = await sendRaw(crlf(['From: alice@example.org', 'To: support@localhost', 'Subject: Original question', 'Message-ID: <reused-1@example.org>', '', 'Where is my data?', '']));
      assert.doesNotMatch(String(first.response), /duplicate/);
      const other = await sendRaw(crlf(['From: mallory@example.net', 'To: support@localhost', 'Subject: Another sender, same id', 'Message-ID: <reused-1@example.org>', '', 'Something else.', '']));
      assert.doesNotMatch(String(other.response), /duplicate/, 'another sender reusing the id is not a duplicate');
      const edited = await sendRaw(crlf(['From: alice@example.org', 'To: support@localhost', 'Subject: Same sender, same id, new text', 'Message-ID: <reused-1@example.org>', '', 'A second question.', '']));
      assert.doesNotMatch(String(edited.response), /duplicate/, 'other content under the same id is not a duplicate');
      await t.runJobs();
      assert.ok(await ticketBySubject('Original question'));
      assert.ok(await ticketBySubject('Another sender, same id'));
      assert.ok(await ticketBySubject('Same sender, same id, new text'));
    });

    test('a true redelivery (the same bytes, or the same message with other trace headers) is acknowledged once and processed once', async () => {
      const mail = ['From: bob@example.org', 'To: support@localhost', 'Subject: Delivered twice', 'Message-ID: <twice-2@example.org>', '', 'Hello once.', ''];
      await sendRaw(crlf(mail));
      const again = await sendRaw(crlf(mail));
      assert.match(String(again.response), /duplicate/);
      const viaOtherHop = await sendRaw(crlf(['Received: from relay.example.org by mx.example.org; Mon, 2 Mar 2026 09:00:00 +0000', 'Delivered-To: support@localhost', ...mail]));
      assert.match(String(viaOtherHop.response), /duplicate/);
      await t.runJobs();
      assert.equal((await tickets()).filter((x) => x.subject === 'Delivered twice').length, 1);
      assert.equal((await inbound()).filter((r) => r.messageIdHeader === 'twice-2@example.org').length, 1);
    });
  });

  describe('item 13: odd but valid mail becomes a ticket', () => {
    test('a message with NUL bytes becomes a ticket; stored text has none, the raw source keeps them', async () => {
      const raw = Buffer.concat([
        crlf([
          'From: nul@example.org',
          'To: support@localhost',
          'Subject: Has a NUL',
          'Message-ID: <nul-1@example.org>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/alternative; boundary="B"',
          '',
          '--B',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          'before',
        ]),
        Buffer.from([0]),
        crlf(['after', '--B', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', '<p>html before']),
        Buffer.from([0]),
        crlf(['after</p>', '--B--', '']),
      ]);
      await sendRaw(raw);
      await t.runJobs();
      const row = (await inbound()).find((r) => r.messageIdHeader === 'nul-1@example.org');
      assert.equal(row.status, 'processed', row.error);
      const ticket = await ticketBySubject('Has a NUL');
      assert.ok(ticket, 'a ticket');
      const [message] = await messagesOf(ticket.id);
      assert.ok(!message.bodyText.includes('\u0000') && !message.bodyHtml.includes('\u0000'));
      assert.match(message.bodyHtml, /html before.after/);
      const source = await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages/${message.id}/raw`);
      assert.equal(source.status, 200);
      assert.ok(source.raw.includes('before\u0000after'), 'the raw source is intact');
    });

    test('senders with unusual but valid local parts (atext, quoted) are processed like any other', async () => {
      const senders = ["o'brien@example.org", 'a/b=c+d@example.org', "!#$%&*?^_`{|}~@example.org", '"john smith"@example.org', '"quoted.dots..ok"@example.org'];
      for (const [i, from] of senders.entries()) {
        await sendRaw(crlf([`From: Odd Sender <${from}>`, 'To: support@localhost', `Subject: Odd sender ${i}`, `Message-ID: <odd-${i}@example.org>`, '', 'Hello.', '']));
      }
      await t.runJobs();
      for (const [i, from] of senders.entries()) {
        const ticket = await ticketBySubject(`Odd sender ${i}`);
        assert.ok(ticket, `${from} became a ticket (${(await inbound()).find((r) => r.messageIdHeader === `odd-${i}@example.org`)?.error})`);
        assert.equal(ticket.requester.email, from.toLowerCase());
      }
    });

    test('Message-IDs that are not <local@domain> (spaces, quotes, slashes, X.400) are processed and threaded on', async () => {
      const ids = ['<id with spaces@example.org>', '<"/O=ORG/OU=EXCHANGE/CN=RECIPIENTS/CN=JSMITH"@x400.example.org>', '<a/b/c=d@example.org>', '<no-at-sign-at-all>'];
      for (const [i, id] of ids.entries()) {
        await sendRaw(crlf([`From: x400-${i}@example.org`, 'To: support@localhost', `Subject: Odd id ${i}`, `Message-ID: ${id}`, '', 'First.', '']));
      }
      await t.runJobs();
      t.clock.advance(60_000);
      for (const [i, id] of ids.entries()) {
        // The reply names the ticket only by that id.
        await sendRaw(crlf([`From: x400-${i}@example.org`, 'To: support@localhost', `Subject: Re: odd`, `Message-ID: <reply-${i}@example.org>`, `In-Reply-To: ${id}`, `References: ${id}`, '', `Reply ${i}.`, '']));
      }
      await t.runJobs();
      for (const [i, id] of ids.entries()) {
        const ticket = await ticketBySubject(`Odd id ${i}`);
        assert.ok(ticket, `${id} became a ticket`);
        const texts = (await messagesOf(ticket.id)).map((m) => m.bodyText);
        assert.deepEqual(texts, ['First.', `Reply ${i}.`], `the reply to ${id} threads onto its ticket`);
      }
      assert.equal((await tickets()).filter((x) => x.subject === 'Re: odd').length, 0);
    });

    test('free-form bounces (Yahoo, qmail, Sina, InterScan) open no ticket; one quoting our mail notes its ticket', async () => {
      await sendRaw(crlf(['From: gone@example.org', 'To: support@localhost', 'Subject: Account question', '', 'How?', '']));
      await t.runJobs();
      const ticket = await ticketBySubject('Account question');
      await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Use the reset link.', public: true });
      await t.runJobs();
      const reply = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).find((m) => m.kind === 'reply' && m.ticketId === ticket.id);
      const before = await t.count('tickets');
      const bounces = [
        // Yahoo: a subject no rule knew, the failed address on a line of its own, our message quoted.
        crlf([
          'From: MAILER-DAEMON@yahoo.com',
          'To: support@localhost',
          'Subject: failure delivery',
          'Message-ID: <yahoo-b1@yahoo.com>',
          '',
          'Message from  yahoo.com.',
          'Unable to deliver message to the following address(es).',
          '',
          '<gone@example.org>:',
          "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)",
          "I'm not going to try again; this message has been in the queue too long.",
          '',
          '--- Original message follows.',
          '',
          `Message-ID: <${reply.messageIdHeader}>`,
          'Subject: Re: Account question',
          '',
        ]),
        // qmail without a subject.
        crlf([
          'From: MAILER-DAEMON@mx.example.net',
          'To: support@localhost',
          'Message-ID: <qmail-b1@mx.example.net>',
          '',
          "Hi. This is the qmail-send program at mx.example.net.",
          "I'm afraid I wasn't able to deliver your message to the following addresses.",
          'This is a permanent error; I\'ve given up. Sorry it didn\'t work out.',
          '',
          '<someone@example.net>:',
          'Sorry, no mailbox here by that name. (#5.1.1)',
          '',
        ]),
        // Sina: a subject in another charset, the text unreadable, the returned message attached.
        crlf([
          'From: MAILER-DAEMON@sina.com',
          'To: support@localhost',
          'Subject: =?gb2312?B?08q8/szYy83Kp7Dc?=',
          'Message-ID: <sina-b1@sina.com>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="S"',
          '',
          '--S',
          'Content-Type: text/plain; charset="gb2312"',
          '',
          'sina.com.',
          '<someone@sina.com>:',
          '--S',
          'Content-Type: message/rfc822',
          '',
          'From: support@localhost',
          'Subject: Hello',
          '',
          'x',
          '--S--',
          '',
        ]),
        // InterScan, from a gateway address that looks like a person's.
        crlf([
          'From: imss@gateway.example.be',
          'To: support@localhost',
          'Subject: Mail could not be delivered',
          'Message-ID: <imss-b1@gateway.example.be>',
          '',
          '****** Message from InterScan Messaging Security Suite ******',
          'Sent <<< RCPT TO:<userx@example.be>',
          'Received >>> 550 5.1.1 unknown user.',
          'Unable to deliver message to <userx@example.be>.',
          '',
        ]),
      ];
      for (const raw of bounces) await sendRaw(raw, '');
      await t.runJobs();
      assert.equal(await t.count('tickets'), before, 'no bounce opened a ticket');
      const rows = (await inbound()).filter((r) => ['yahoo-b1@yahoo.com', 'qmail-b1@mx.example.net', 'sina-b1@sina.com', 'imss-b1@gateway.example.be'].includes(r.messageIdHeader));
      assert.equal(rows.length, 4);
      for (const r of rows) assert.match(r.outcome ?? '', /^bounce/, `${r.messageIdHeader}: ${r.outcome} ${r.error}`);
      const note = (await messagesOf(ticket.id)).find((m) => m.bodyText.includes('bounced'));
      assert.ok(note, 'the ticket shows the bounce of its reply');
      const bouncing = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
      assert.ok(bouncing.includes('gone@example.org'));
    });

    test("people's mail about delivery problems is not taken for a bounce", async () => {
      await sendRaw(crlf(['From: Pat Customer <pat@example.org>', 'To: support@localhost', 'Subject: Delivery failed for my order', '', 'My parcel was not delivered yesterday. Can you check?', '']));
      await t.runJobs();
      assert.ok(await ticketBySubject('Delivery failed for my order'));
    });
  });
});
