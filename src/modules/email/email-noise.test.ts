import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { deliveryReport } from '../../testing/mail.js';

/** Loops and noise (RFC 3834 and practice): what must never be auto-answered, bounces, out-of-office replies. */
describe('email loops, noise and bounces', () => {
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

  const outbox = async () => (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[];
  const autoRepliesTo = async (address: string) => (await outbox()).filter((m) => m.kind === 'auto_reply' && m.recipients.includes(address)).length;
  const ticketOf = async (subject: string) => ((await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[]).find((x) => x.subject === subject);
  const messagesOf = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}/messages`)).body.items as any[];
  /** A ticket from `from` by mail, and the agent's public reply to it as mailed (in the outbox). */
  const answered = async (from: string, subject: string) => {
    await smtp.send({ from, to: 'support@localhost', subject, text: `About ${subject}` });
    await t.runJobs();
    const ticket = await ticketOf(subject);
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Here is how to fix it.', public: true });
    await t.runJobs();
    return { ticket, reply: (await outbox()).find((m) => m.kind === 'reply' && m.ticketId === ticket.id) };
  };

  test('machine-sent, list and no-reply mail opens a ticket but is never auto-answered', async () => {
    const cases = [
      { from: 'cron@example.org', subject: 'Nightly report', headers: { 'Auto-Submitted': 'auto-generated' } },
      { from: 'news@example.org', subject: 'Newsletter', headers: { Precedence: 'bulk' } },
      { from: 'list@example.org', subject: 'List post', headers: { 'List-Id': '<users.lists.example.org>' } },
      { from: 'no-reply@example.org', subject: 'Your invoice', headers: {} },
      { from: 'MAILER-DAEMON@example.org', subject: 'Hello', headers: {} },
    ];
    for (const c of cases) await smtp.send({ from: c.from, to: 'support@localhost', subject: c.subject, text: 'Body', headers: c.headers });
    await t.runJobs();
    for (const c of cases) {
      assert.ok(await ticketOf(c.subject), `${c.subject} is a ticket`);
      assert.equal(await autoRepliesTo(c.from.toLowerCase()), 0, `${c.from} gets no auto-reply`);
    }
    // Auto-Submitted: no is a person.
    await smtp.send({ from: 'person@example.org', to: 'support@localhost', subject: 'Real person', text: 'Hi', headers: { 'Auto-Submitted': 'no' } });
    await t.runJobs();
    assert.equal(await autoRepliesTo('person@example.org'), 1);
  });

  test('auto-replies to one sender are capped per hour', async () => {
    for (let i = 0; i < 7; i++) await smtp.send({ from: 'chatty@example.org', to: 'support@localhost', subject: `Question ${i}`, text: `Question number ${i}` });
    await t.runJobs();
    assert.equal(await autoRepliesTo('chatty@example.org'), 5);
    t.clock.advance(3601_000);
    await smtp.send({ from: 'chatty@example.org', to: 'support@localhost', subject: 'Question later', text: 'An hour later' });
    await t.runJobs();
    assert.equal(await autoRepliesTo('chatty@example.org'), 6);
  });

  test('an out-of-office reply threads as an internal note and does not reopen the ticket', async () => {
    await smtp.send({ from: 'traveller@example.org', to: 'support@localhost', subject: 'Laptop broken', text: 'Screen cracked', messageId: '<ooo-origin@example.org>' });
    await t.runJobs();
    const ticket = await ticketOf('Laptop broken');
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Can you send a photo?', public: true, status: 'pending' });
    await t.runJobs();
    const reply = (await outbox()).find((m) => m.kind === 'reply' && m.ticketId === ticket.id);
    await smtp.send({
      from: 'traveller@example.org',
      to: 'support@localhost',
      subject: 'Automatic reply: Laptop broken',
      text: 'I am out of the office until Monday.',
      inReplyTo: `<${reply.messageIdHeader}>`,
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await t.runJobs();
    const after = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body;
    assert.equal(after.status, 'pending', 'still waiting for the real answer');
    const note = (await messagesOf(ticket.id)).find((m) => m.bodyText.includes('out of the office'));
    assert.equal(note.public, false);
    // An out-of-office reply to nothing we know is dropped, with the reason kept.
    await smtp.send({ from: 'stranger@example.org', to: 'support@localhost', subject: 'Out of Office', text: 'Away', headers: { 'X-Autoreply': 'yes' } });
    await t.runJobs();
    assert.equal(await ticketOf('Out of Office'), undefined);
    const ignored = (await t.as(admin).get('/api/v1/inbound/emails?status=ignored')).body.items as any[];
    assert.ok(ignored.some((m) => m.subject === 'Out of Office' && m.outcome === 'automatic reply that matches no ticket'));
  });

  test('a bounce never opens a ticket: it marks the recipient bouncing and notes the ticket', async () => {
    const { ticket, reply } = await answered('gone@example.org', 'Account question');
    const before = await t.count('tickets');
    const dsn = deliveryReport({
      to: 'gone@example.org',
      messageId: 'dsn-1@mx.example.org',
      returned: ['From: Lifeline Support <support@localhost>', 'To: gone@example.org', `Message-ID: <${reply.messageIdHeader}>`, 'Subject: Re: Account question'],
    });
    await smtp.send({ envelope: { from: '', to: ['support@localhost'] }, raw: dsn });
    await t.runJobs();
    assert.equal(await t.count('tickets'), before, 'no ticket from a bounce');
    const note = (await messagesOf(ticket.id)).find((m) => m.bodyText.includes('bounced'));
    assert.ok(note, 'the ticket shows the bounce');
    assert.equal(note.public, false);
    assert.match(note.bodyText, /gone@example\.org.*5\.1\.1/);
    const bouncing = (await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[];
    assert.deepEqual(
      bouncing.map((b) => b.email),
      ['gone@example.org'],
    );
    assert.equal((await t.as(admin).get(`/api/v1/outbox/${reply.id}`)).body.status, 'failed');
    // Writing in again shows the address works: no longer bouncing.
    await smtp.send({ from: 'gone@example.org', to: 'support@localhost', subject: 'Back', text: 'New address works again' });
    await t.runJobs();
    assert.equal((await t.as(admin).get('/api/v1/email/bouncing')).body.items.length, 0);
  });

  test('a forged bounce marks nobody: only a bounce quoting mail we sent to an address records it bouncing', async () => {
    const { ticket, reply } = await answered('sender@example.org', 'Printer jam');
    const victim = await t.signIn('customer', { email: 'victim@example.org' });
    const dsn = (failed: string, quoted?: string, messageId?: string) =>
      deliveryReport({ to: failed, messageId, returned: [`To: ${failed}`, ...(quoted ? [`Message-ID: <${quoted}>`] : [])] });
    const notesBefore = (await messagesOf(ticket.id)).filter((m) => m.bodyText.includes('bounced')).length;
    // Naming the victim with no quoted mail, with a Message-ID we never sent, and with a real reply's Message-ID
    // (the requester knows it) that never went to the victim: none is recorded, none notes the ticket.
    for (const raw of [
      ['From: Eve <eve@example.net>', 'To: support@localhost', 'Subject: Delivery failure', 'X-Failed-Recipients: victim@example.org', 'Message-ID: <x-failed@example.net>', '', 'Mail to victim@example.org could not be delivered to the recipient.', ''].join('\r\n'),
      dsn('victim@example.org', 'made-up@localhost'),
      dsn('victim@example.org', reply.messageIdHeader, 'forged-with-real-id@example.net'),
    ]) {
      await smtp.send({ envelope: { from: '', to: ['support@localhost'] }, raw });
    }
    await t.runJobs();
    const bouncing = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
    assert.ok(!bouncing.includes('victim@example.org'), `forged bounces recorded: ${bouncing.join(', ')}`);
    assert.equal((await t.as(admin).get(`/api/v1/outbox/${reply.id}`)).body.status, 'stored', 'the reply is not marked failed');
    assert.equal((await messagesOf(ticket.id)).filter((m) => m.bodyText.includes('bounced')).length, notesBefore, 'no note on the ticket');
    const row = ((await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items as any[]).find((m) => m.messageIdHeader === 'forged-with-real-id@example.net');
    assert.match(row.outcome, /^bounce \(not recorded, no mail of ours to them quoted: victim@example\.org\)/);
    assert.equal((await t.as(victim).get('/api/v1/me')).status, 200);
    // The real one, for the person the reply went to, is recorded.
    await smtp.send({ envelope: { from: '', to: ['support@localhost'] }, raw: dsn('sender@example.org', reply.messageIdHeader, 'real@mx.example.net') });
    await t.runJobs();
    const now = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
    assert.ok(now.includes('sender@example.org') && !now.includes('victim@example.org'), now.join(', '));
  });

  test('a co-follower cannot forge a bounce for another recipient of the same reply (each gets their own message)', async () => {
    // The requester copies a colleague of their organisation: both follow the ticket and are mailed the agent's reply.
    await t.make.organization({ domains: ['vpn.example.org'] });
    await smtp.send({ from: 'cc.requester@vpn.example.org', to: 'support@localhost', cc: 'cc.colleague@vpn.example.org', subject: 'VPN drops', text: 'Every hour' });
    await t.runJobs();
    const ticket = await ticketOf('VPN drops');
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Update the client to 5.2.', public: true });
    await t.runJobs();
    const replies = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id);
    const colleagueCopy = replies.find((m) => m.recipients.includes('cc.colleague@vpn.example.org'));
    const requesterCopy = replies.find((m) => m.recipients.includes('cc.requester@vpn.example.org'));
    assert.ok(colleagueCopy && requesterCopy, 'both were mailed the reply');
    const notes = async () => (await messagesOf(ticket.id)).filter((m) => m.bodyText.includes('bounced')).length;
    const notesBefore = await notes();
    // The colleague knows the Message-ID of the mail they received, and forges a report that it failed for the requester.
    const forged = deliveryReport({
      to: 'cc.requester@vpn.example.org',
      messageId: 'forged-by-colleague@example.net',
      returned: ['From: Lifeline Support <support@localhost>', 'To: cc.requester@vpn.example.org', `Message-ID: <${colleagueCopy.messageIdHeader}>`, 'Subject: Re: VPN drops'],
    });
    await smtp.send({ envelope: { from: '', to: ['support@localhost'] }, raw: forged });
    await t.runJobs();
    const bouncing = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
    assert.ok(!bouncing.includes('cc.requester@vpn.example.org'), `the forged bounce marked the requester bouncing: ${bouncing.join(', ')}`);
    assert.equal(await notes(), notesBefore, 'the forged bounce put no note on the ticket');
    for (const m of replies) assert.equal((await t.as(admin).get(`/api/v1/outbox/${m.id}`)).body.status, 'stored', 'no copy is marked failed');
    const row = ((await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items as any[]).find((m) => m.messageIdHeader === 'forged-by-colleague@example.net');
    assert.match(row.outcome, /^bounce \(not recorded, no mail of ours to them quoted: cc\.requester@vpn\.example\.org\)/);

    // One message per recipient: each its own Message-ID, sent to that address alone, none quoting another's copy.
    assert.notEqual(colleagueCopy.messageIdHeader, requesterCopy.messageIdHeader);
    assert.deepEqual(colleagueCopy.recipients, ['cc.colleague@vpn.example.org']);
    assert.deepEqual(requesterCopy.recipients, ['cc.requester@vpn.example.org']);
    const head = async (id: string) => ((await t.as(admin).get(`/api/v1/outbox/${id}/raw`)).raw as string).split(/\r?\n\r?\n/)[0] as string;
    assert.ok(!(await head(colleagueCopy.id)).includes('cc.requester@vpn.example.org'), "the colleague's copy does not invite a reply-all to the requester");

    // Each recipient's reply threads into the ticket on their own copy's Message-ID.
    for (const [from, copy] of [
      ['cc.requester@vpn.example.org', requesterCopy],
      ['cc.colleague@vpn.example.org', colleagueCopy],
    ] as const) {
      await smtp.send({ from, to: 'support@localhost', subject: 'Re: VPN drops', text: `Thanks, from ${from}`, inReplyTo: `<${copy.messageIdHeader}>`, references: [`<${copy.messageIdHeader}>`] });
    }
    await t.runJobs();
    const bodies = (await messagesOf(ticket.id)).map((m) => m.bodyText as string);
    for (const from of ['cc.requester@vpn.example.org', 'cc.colleague@vpn.example.org']) assert.ok(bodies.some((b) => b.includes(`Thanks, from ${from}`)), `${from}'s reply threads`);
    // The next reply goes to each again, each threaded on their own earlier copy and never on the other's.
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Glad it works.', public: true });
    await t.runJobs();
    const next = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id && !replies.some((r) => r.id === m.id));
    assert.equal(next.length, 2);
    const toColleague = next.find((m) => m.recipients.includes('cc.colleague@vpn.example.org'));
    const header = await head(toColleague.id);
    assert.ok(header.includes(colleagueCopy.messageIdHeader) && !header.includes(requesterCopy.messageIdHeader), header);

    // The real bounce of the requester's own copy still marks them.
    await smtp.send({
      envelope: { from: '', to: ['support@localhost'] },
      raw: deliveryReport({ to: 'cc.requester@vpn.example.org', messageId: 'real-cc@mx.example.org', returned: ['To: cc.requester@vpn.example.org', `Message-ID: <${requesterCopy.messageIdHeader}>`] }),
    });
    await t.runJobs();
    const now = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
    assert.ok(now.includes('cc.requester@vpn.example.org'), now.join(', '));
    assert.equal(await notes(), notesBefore + 1, 'the real bounce notes the ticket');

    // A message that went to both (as replies did before) proves nothing about either: the requester knows its id.
    await t.database.db.execute(sql`update outbound_emails set recipients = array['cc.colleague@vpn.example.org', 'cc.requester@vpn.example.org'] where id = ${colleagueCopy.id}`);
    await smtp.send({
      envelope: { from: '', to: ['support@localhost'] },
      raw: deliveryReport({ to: 'cc.colleague@vpn.example.org', messageId: 'forged-on-shared@example.net', returned: ['To: cc.colleague@vpn.example.org', `Message-ID: <${colleagueCopy.messageIdHeader}>`] }),
    });
    await t.runJobs();
    const last = ((await t.as(admin).get('/api/v1/email/bouncing')).body.items as any[]).map((b) => b.email);
    assert.ok(!last.includes('cc.colleague@vpn.example.org'), last.join(', '));
    assert.equal(await notes(), notesBefore + 1, 'no note from the bounce quoting a shared message');
  });

  test("a requester's mail never quotes the Message-ID of a staff member's copy (it would let them bounce or answer as that agent)", async () => {
    const follower = await t.signIn('agent', { email: 'follower.agent@example.org' });
    await smtp.send({ from: 'quoter@example.org', to: 'support@localhost', subject: 'Scanner offline', text: 'It shows offline' });
    await t.runJobs();
    const ticket = await ticketOf('Scanner offline');
    const followed = await t.as(admin).patch(`/api/v1/tickets/${ticket.id}`, { followerIds: [follower.user.id] });
    assert.ok(followed.status < 300, followed.raw);
    for (const body of ['Restart the scanner.', 'Did the restart help?']) {
      await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body, public: true });
      await t.runJobs();
    }
    const replies = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id);
    const staffCopies = replies.filter((m) => m.recipients.includes('follower.agent@example.org'));
    const toRequester = replies.filter((m) => m.recipients.includes('quoter@example.org'));
    assert.equal(staffCopies.length, 2, 'the follower got a copy of each reply');
    assert.equal(toRequester.length, 2);
    const header = async (id: string) => {
      const raw = (await t.as(admin).get(`/api/v1/outbox/${id}/raw`)).raw;
      return raw.split(/\r?\n\r?\n/)[0] as string;
    };
    // Both of a pair carry the same fake-clock time: the later one is the one that quotes the other.
    const laterOf = async (pair: { id: string; messageIdHeader: string }[]) => {
      const [a, b] = [await header(pair[0]!.id), await header(pair[1]!.id)];
      assert.ok(a.includes(pair[1]!.messageIdHeader) !== b.includes(pair[0]!.messageIdHeader), 'the later mail of a pair quotes the earlier one');
      return a.includes(pair[1]!.messageIdHeader) ? { later: a, earlier: pair[1]! } : { later: b, earlier: pair[0]! };
    };
    const requesterThread = await laterOf(toRequester);
    for (const copy of staffCopies) assert.ok(!requesterThread.later.includes(copy.messageIdHeader), `the requester's mail quotes the staff copy ${copy.messageIdHeader}`);
    await laterOf(staffCopies); // the follower's own thread quotes their own earlier copy
  });

  test('our own outgoing mail and mail from a support address are dropped, not looped', async () => {
    const before = await t.count('tickets');
    const [sample] = await outbox();
    const raw = (await t.as(admin).get(`/api/v1/outbox/${sample.id}/raw`)).raw;
    await smtp.send({ envelope: { from: 'support@localhost', to: ['support@localhost'] }, raw });
    await smtp.send({ from: 'support@localhost', to: 'support@localhost', subject: 'Loop', text: 'Ping' });
    await t.runJobs();
    assert.equal(await t.count('tickets'), before);
    const ignored = (await t.as(admin).get('/api/v1/inbound/emails?status=ignored')).body.items as any[];
    assert.ok(ignored.some((m) => m.outcome === 'own outgoing message'));
  });

  test('a reply to a solved ticket reopens it; a reply to a closed one starts a linked follow-up', async () => {
    await smtp.send({ from: 'solver@example.org', to: 'support@localhost', subject: 'Export fails', text: 'CSV export is empty', messageId: '<export@example.org>' });
    await t.runJobs();
    const ticket = await ticketOf('Export fails');
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' })).status, 200);
    await smtp.send({ from: 'solver@example.org', to: 'support@localhost', subject: 'Re: Export fails', text: 'Still empty.', inReplyTo: '<export@example.org>' });
    await t.runJobs();
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.statusCategory, 'open');

    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' })).status, 200);
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { status: 'closed' })).status, 200);
    const before = await t.count('tickets');
    await smtp.send({ from: 'solver@example.org', to: 'support@localhost', subject: 'Re: Export fails', text: 'It happened again.', inReplyTo: '<export@example.org>' });
    await t.runJobs();
    assert.equal(await t.count('tickets'), before + 1);
    const tickets = (await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[];
    const followUp = tickets.find((x) => x.subject === 'Re: Export fails');
    assert.ok(followUp, 'a follow-up ticket');
    const detail = (await t.as(agent).get(`/api/v1/tickets/${followUp.id}`)).body;
    assert.equal(detail.followUpOfId, ticket.id);
    assert.equal((await messagesOf(followUp.id))[0].bodyText, 'It happened again.');
  });
});
