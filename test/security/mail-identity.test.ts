import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, items 1 and 3: a From: header proves nothing. Mail from a staff address is a public reply only when it
 * answers mail Lifeline sent that person (a notification's Message-ID, or their reply token), or when the
 * operator's MTA says DMARC passed; otherwise it is an internal note flagged "unverified sender" (or refused), and
 * its Cc's follow nothing. Light agents' mail is always a note. Everything over real SMTP to the built-in listener.
 */
describe('mail identity: staff mail must prove who sent it', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let other: Session;
  let light: Session;
  let smtp: Awaited<ReturnType<TestApp['smtp']>>;
  let ticket: any;
  let second: any;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { email: 'ann.agent@example.org' });
    other = await t.signIn('agent', { email: 'bob.agent@example.org' });
    light = await t.signIn('light_agent', { email: 'lee.light@example.org' });
    smtp = await t.smtp();
    await smtp.send({ from: 'grace@navy.example.org', to: 'support@localhost', subject: 'Forms will not sync', text: 'Since this morning.', messageId: '<grace-1@navy.example.org>' });
    await smtp.send({ from: 'kim@clinic.example.org', to: 'support@localhost', subject: 'Second problem', text: 'Printer.', messageId: '<kim-1@clinic.example.org>' });
    await t.runJobs();
    const items = (await t.as(agent).get('/api/v1/tickets?limit=100')).body.items as any[];
    ticket = items.find((x) => x.subject === 'Forms will not sync');
    second = items.find((x) => x.subject === 'Second problem');
    // Notifications: Ann is assigned the first ticket, Bob the second; both also hear of the first's group.
    assert.equal((await t.as(admin).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: agent.user.id })).status, 200);
    assert.equal((await t.as(admin).patch(`/api/v1/tickets/${second.id}`, { assigneeId: other.user.id })).status, 200);
    await t.runJobs();
  });
  after(() => t.close());

  const outbox = async () => (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[];
  const rawMail = async (id: string) => simpleParser((await t.as(admin).get(`/api/v1/outbox/${id}/raw`)).raw);
  const messagesOf = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}/messages`)).body.items as any[];
  const detail = async (id: string) => (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
  const followerEmails = async (id: string) => {
    const ids = (await detail(id)).followerIds as string[];
    const users = (await t.as(admin).get('/api/v1/users?limit=200')).body.items as any[];
    return users.filter((u) => ids.includes(u.id)).map((u) => u.email);
  };
  const notificationTo = async (email: string, ticketId: string) => {
    const n = (await outbox()).find((m) => m.kind === 'notification' && m.ticketId === ticketId && m.recipients.length === 1 && m.recipients[0] === email);
    assert.ok(n, `a notification to ${email}`);
    return n;
  };
  const replyAddressOf = async (outboundId: string) => (await rawMail(outboundId)).replyTo?.value[0]?.address as string;
  const lastMessage = async (id: string, text: string) => (await messagesOf(id)).find((m) => m.bodyText === text);

  /** Sends as `from`, runs the worker, and returns the message it made (by its text) on the first ticket. */
  /** Public replies mailed so far, each counted once (every recipient gets a message of their own). */
  const repliesMailed = async () => new Set((await outbox()).filter((m) => m.kind === 'reply').map((m) => m.messageId)).size;

  async function mailAs(from: string, text: string, extra: Record<string, unknown> = {}, ticketId = ticket.id) {
    const repliesBefore = await repliesMailed();
    await smtp.send({ from, to: 'support@localhost', cc: 'attacker@evil.example', subject: `Re: Forms will not sync [#${ticket.number}]`, text, ...extra });
    await t.runJobs();
    const message = await lastMessage(ticketId, text);
    const mailed = (await repliesMailed()) - repliesBefore;
    return { message, mailed };
  }

  async function assertUnverifiedNote(from: string, text: string, extra: Record<string, unknown> = {}) {
    const { message, mailed } = await mailAs(from, text, extra);
    assert.ok(message, 'the message lands on the ticket it names');
    assert.equal(message.public, false, 'as an internal note, not a public reply');
    assert.equal(message.direction, 'internal');
    assert.equal(message.senderUnverified, true, 'flagged: the sender is not verified');
    assert.equal(mailed, 0, 'nothing is mailed to the customer');
    assert.ok(!(await followerEmails(ticket.id)).includes('attacker@evil.example'), 'Cc of an unverified sender follows nothing');
  }

  test('subject token alone (the reported attack): an internal note flagged unverified, Cc not a follower', async () => {
    await assertUnverifiedNote('ann.agent@example.org', 'Please send your password to attacker@evil.example.');
    const row = ((await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items as any[]).find((r) => r.subject?.includes('Forms will not sync') && r.outcome?.includes('unverified'));
    assert.ok(row, 'the intake log says why');
  });

  test("a received customer message's Message-ID in References proves nothing", async () => {
    await assertUnverifiedNote('ann.agent@example.org', 'Forged with a customer message id.', { inReplyTo: '<grace-1@navy.example.org>', references: ['<grace-1@navy.example.org>'] });
  });

  test('a Message-ID Lifeline sent to someone else proves nothing (the auto-reply to the customer, a notification to another agent)', async () => {
    const ack = (await outbox()).find((m) => m.kind === 'auto_reply' && m.ticketId === ticket.id);
    await assertUnverifiedNote('ann.agent@example.org', 'Forged with the auto-reply id.', { inReplyTo: `<${ack.messageIdHeader}>`, references: [`<${ack.messageIdHeader}>`] });
    // Bob hears of Ann's ticket when the customer answers: his notification is his, not Ann's.
    await smtp.send({ from: 'grace@navy.example.org', to: 'support@localhost', subject: `Re: Forms will not sync [#${ticket.number}]`, text: 'Any news?', inReplyTo: '<grace-1@navy.example.org>' });
    await t.runJobs();
    const annNote = await notificationTo('ann.agent@example.org', ticket.id);
    await assertUnverifiedNote('bob.agent@example.org', "Bob forging with Ann's notification.", { inReplyTo: `<${annNote.messageIdHeader}>` });
  });

  test("a reply token of another agent, of another ticket, or a made-up one proves nothing", async () => {
    const bobsForSecond = await replyAddressOf((await notificationTo('bob.agent@example.org', second.id)).id);
    assert.match(bobsForSecond, /^support\+r\d+-[0-9a-f]{20}@localhost$/, 'notifications carry a per-person reply address');
    const annsForFirst = await replyAddressOf((await notificationTo('ann.agent@example.org', ticket.id)).id);
    const forged = annsForFirst.replace(/-[0-9a-f]{20}@/, '-0123456789abcdef0123@');
    // Another agent's token (Ann's, for this ticket) in Bob's mail.
    await assertUnverifiedNote('bob.agent@example.org', "Bob with Ann's token.", { to: annsForFirst });
    // Bob's own token, but for the other ticket, on a message that names this one.
    await assertUnverifiedNote('bob.agent@example.org', 'Token of the second ticket.', { to: bobsForSecond, inReplyTo: '<grace-1@navy.example.org>' });
    await assertUnverifiedNote('ann.agent@example.org', 'A made-up token.', { to: forged });
  });

  test('the public reply mailed to the customer does not quote the notification Message-IDs (which prove who answers)', async () => {
    const annNote = await notificationTo('ann.agent@example.org', ticket.id);
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Which app version?', public: true });
    await t.runJobs();
    const reply = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id && m.recipients.includes('grace@navy.example.org')).at(-1);
    const mail = await rawMail(reply.id);
    const refs = [mail.inReplyTo, ...(Array.isArray(mail.references) ? mail.references : [mail.references])].join(' ');
    assert.ok(!refs.includes(annNote.messageIdHeader), refs);
    // So the customer cannot use it: the References of the mail she got, replayed as Ann.
    await assertUnverifiedNote('ann.agent@example.org', 'Replayed the references the customer received.', { inReplyTo: mail.messageId, references: refs.split(/\s+/).filter(Boolean) });
  });

  test('a verified agent reply still works: answering her notification (In-Reply-To) is a public reply, mailed, Cc follows', async () => {
    const annNote = await notificationTo('ann.agent@example.org', ticket.id);
    const { message, mailed } = await mailAs('ann.agent@example.org', 'Fixed in 2.54, please update.', { inReplyTo: `<${annNote.messageIdHeader}>`, references: [`<${annNote.messageIdHeader}>`], cc: 'nurse@navy.example.org' });
    assert.ok(message);
    assert.equal(message.public, true);
    assert.equal(message.direction, 'outbound');
    assert.equal(message.senderUnverified, false);
    assert.equal(message.author.id, agent.user.id);
    assert.equal(mailed, 1, 'mailed to the customer');
    assert.ok((await followerEmails(ticket.id)).includes('nurse@navy.example.org'));
  });

  test('a verified agent reply by reply token (the Reply-To of her notification) is a public reply', async () => {
    const address = await replyAddressOf((await notificationTo('ann.agent@example.org', ticket.id)).id);
    const { message, mailed } = await mailAs('ann.agent@example.org', 'Answered through my reply address.', { to: address, subject: 'no token in this subject', cc: 'nurse@navy.example.org' });
    assert.ok(message);
    assert.equal(message.public, true);
    assert.equal(message.senderUnverified, false);
    assert.equal(mailed, 1);
  });

  test('Authentication-Results count only from the configured authserv-id: forged ones are ignored, DMARC pass verifies staff, fail unverifies anyone', async () => {
    const forgedPass = 'mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org';
    // Not configured (the default): even a header naming any server is ignored.
    await assertUnverifiedNote('ann.agent@example.org', 'Forged results, nothing configured.', { headers: { 'Authentication-Results': forgedPass } });
    t.config.mail.trustedAuthservId = 'mx.lifeline.test';
    try {
      // Configured: a header from another authserv-id is still ignored.
      await assertUnverifiedNote('ann.agent@example.org', 'Forged results, other server.', { headers: { 'Authentication-Results': forgedPass } });
      // The MTA's own header is on top; a forged "pass" under it with its name does not count.
      await assertUnverifiedNote('ann.agent@example.org', 'Forged pass under a real fail.', {
        headers: [
          { key: 'Authentication-Results', value: 'mx.lifeline.test; dmarc=fail header.from=example.org' },
          { key: 'Authentication-Results', value: 'mx.lifeline.test; dmarc=pass header.from=example.org' },
        ],
      });
      // DMARC fail makes even a proper reply unverified, and a customer's too.
      const annNote = await notificationTo('ann.agent@example.org', ticket.id);
      await assertUnverifiedNote('ann.agent@example.org', 'DMARC failed on a proper reply.', {
        inReplyTo: `<${annNote.messageIdHeader}>`,
        headers: { 'Authentication-Results': 'mx.lifeline.test; spf=fail smtp.mailfrom=example.org; dkim=fail header.d=example.org' },
      });
      await assertUnverifiedNote('grace@navy.example.org', 'Customer with DMARC fail.', { headers: { 'Authentication-Results': 'mx.lifeline.test; dmarc=fail header.from=navy.example.org' } });
      // DMARC pass from the trusted server verifies a staff sender.
      const { message, mailed } = await mailAs('ann.agent@example.org', 'DMARC passed at our MTA.', {
        cc: 'nurse@navy.example.org',
        headers: { 'Authentication-Results': 'mx.lifeline.test; spf=pass smtp.mailfrom=example.org; dmarc=pass (p=reject) header.from=example.org' },
      });
      assert.equal(message.public, true);
      assert.equal(message.senderUnverified, false);
      assert.equal(mailed, 1);
    } finally {
      t.config.mail.trustedAuthservId = undefined;
    }
  });

  test('with MAIL_UNVERIFIED_SENDER=refuse, unverified staff mail is refused: nothing lands, the log says why', async () => {
    t.config.mail.unverifiedSender = 'refuse';
    try {
      const { message } = await mailAs('ann.agent@example.org', 'Refused, please.');
      assert.equal(message, undefined);
      const row = ((await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items as any[]).find((r) => r.outcome?.startsWith('refused: unverified sender'));
      assert.ok(row);
      assert.equal(row.status, 'ignored');
    } finally {
      t.config.mail.unverifiedSender = 'note';
    }
  });

  test('item 3: a light agent by mail is always an internal note, verified or not; never mailed', async () => {
    const group = await t.make.group('Field support', [light]);
    const created = await t.make.ticket(agent, { subject: 'Tablet broken', groupId: group.id, requesterId: (await t.signIn('customer', { email: 'cust@clinic.example.org' })).user.id });
    await t.runJobs();
    const mine = await notificationTo('lee.light@example.org', created.id);
    const before = (await outbox()).filter((m) => m.kind === 'reply').length;
    await smtp.send({ from: 'lee.light@example.org', to: 'support@localhost', cc: 'attacker@evil.example', subject: `Re: Tablet broken [#${created.number}]`, text: 'Light agent, verified.', inReplyTo: `<${mine.messageIdHeader}>` });
    await smtp.send({ from: 'lee.light@example.org', to: 'support@localhost', subject: `Re: Tablet broken [#${created.number}]`, text: 'Light agent, unverified.' });
    await t.runJobs();
    const verified = await lastMessage(created.id, 'Light agent, verified.');
    assert.equal(verified.public, false);
    assert.equal(verified.senderUnverified, false);
    const unverified = await lastMessage(created.id, 'Light agent, unverified.');
    assert.equal(unverified.public, false);
    assert.equal(unverified.senderUnverified, true);
    assert.equal((await outbox()).filter((m) => m.kind === 'reply').length, before, 'nothing mailed to the customer');
    assert.ok(!(await followerEmails(created.id)).includes('attacker@evil.example'));
  });
});
