import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * The whole loop over real SMTP, on a fresh install's configuration (support@localhost, outbox transport): mail
 * in → ticket and auto-reply; agent reply out with threading headers; the customer's reply threads back.
 */
describe('email loop', () => {
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
  const rawOf = async (id: string) => simpleParser((await t.as(admin).get(`/api/v1/outbox/${id}/raw`)).raw);

  test('mail to support@ becomes a ticket, is acknowledged, and the conversation threads both ways', async () => {
    const sent = await smtp.send({
      from: '"Grace Hopper" <grace@navy.example.org>',
      to: 'support@localhost',
      subject: 'Forms will not sync',
      text: 'Since this morning no form syncs from the field.\n\nGrace',
      messageId: '<first-1@navy.example.org>',
    });
    assert.match(String(sent.response), /^250 /);
    assert.equal(await t.count('tickets'), 0, 'nothing happens before the job runs: the message is only stored');
    await t.runJobs();

    const list = await t.as(agent).get('/api/v1/tickets');
    assert.equal(list.body.items.length, 1);
    const ticket = list.body.items[0];
    assert.equal(ticket.subject, 'Forms will not sync');
    assert.equal(ticket.channel, 'email');
    assert.equal(ticket.requester.email, 'grace@navy.example.org');
    assert.equal(ticket.requester.name, 'Grace Hopper');

    const [ack] = (await outbox()).filter((m) => m.kind === 'auto_reply');
    assert.ok(ack, 'an auto-reply is in the outbox');
    assert.equal(ack.status, 'stored');
    assert.deepEqual(ack.recipients, ['grace@navy.example.org']);
    const ackMail = await rawOf(ack.id);
    assert.equal(ackMail.headers.get('auto-submitted'), 'auto-replied');
    assert.equal(ackMail.inReplyTo, '<first-1@navy.example.org>');
    assert.match(ackMail.subject ?? '', new RegExp(`\\[#${ticket.number}\\]`));
    assert.match(ackMail.text ?? '', new RegExp(`#${ticket.number}`));
    assert.match(ackMail.text ?? '', /Expected response for Normal requests: In the normal course of work/);

    // The agent answers in Lifeline; the reply is mailed with headers that thread in the customer's client.
    t.clock.advance(60_000);
    const answered = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Which app version are you on?', public: true });
    assert.equal(answered.status, 201, answered.raw);
    await t.runJobs();
    const [reply] = (await outbox()).filter((m) => m.kind === 'reply');
    assert.ok(reply, 'the public reply is in the outbox');
    assert.deepEqual(reply.recipients, ['grace@navy.example.org']);
    const replyMail = await rawOf(reply.id);
    assert.equal(replyMail.from?.value[0]?.address, 'support@localhost');
    assert.equal(replyMail.replyTo?.value[0]?.address, 'support@localhost');
    assert.equal(replyMail.inReplyTo, '<first-1@navy.example.org>');
    assert.ok(String(replyMail.references).includes('first-1@navy.example.org'));
    assert.equal(replyMail.subject, `Re: Forms will not sync [#${ticket.number}]`);
    assert.match(replyMail.text ?? '', /Which app version are you on\?/);
    assert.ok(replyMail.messageId?.endsWith('@localhost>'));

    // Grace replies from her mail client, quoting ours; the new part lands on the same ticket.
    t.clock.advance(60_000);
    await smtp.send({
      from: 'grace@navy.example.org',
      to: 'support@localhost',
      subject: `Re: Forms will not sync [#${ticket.number}]`,
      inReplyTo: replyMail.messageId,
      references: [replyMail.messageId as string],
      text: `Version 2.53.1.\n\nOn Mon, 2 Mar 2026 at 09:00, Lifeline Support <support@localhost> wrote:\n> Which app version are you on?\n`,
    });
    await t.runJobs();
    assert.equal(await t.count('tickets'), 1, 'no new ticket');
    const messages = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[];
    const last = messages.at(-1);
    assert.equal(last.bodyText, 'Version 2.53.1.');
    assert.equal(last.direction, 'inbound');
    // The full original is one click away.
    const raw = await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages/${last.id}/raw`);
    assert.equal(raw.status, 200);
    assert.match(raw.raw, /wrote:\r?\n> Which app version/);
    assert.equal((await outbox()).filter((m) => m.kind === 'auto_reply').length, 1, 'a reply is not acknowledged again');
  });

  test('a reply that names the ticket only by its subject token threads when the sender takes part', async () => {
    const [ticket] = (await t.as(agent).get('/api/v1/tickets')).body.items;
    await smtp.send({ from: 'grace@navy.example.org', to: 'support@localhost', subject: `More on [#${ticket.number}]`, text: 'Also on a second tablet.' });
    await smtp.send({ from: 'mallory@evil.example.org', to: 'support@localhost', subject: `Re: [#${ticket.number}]`, text: 'Let me in.' });
    await t.runJobs();
    const messages = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[];
    assert.ok(messages.some((m) => m.bodyText === 'Also on a second tablet.'));
    const tickets = (await t.as(agent).get('/api/v1/tickets')).body.items as any[];
    assert.equal(tickets.length, 2, "a stranger's token does not reach someone else's ticket; it opens a new one");
    assert.ok(tickets.some((x) => x.requester.email === 'mallory@evil.example.org'));
  });

  test('the same message delivered twice is stored and processed once', async () => {
    const mail = { from: 'ada@example.org', to: 'support@localhost', subject: 'Twice', text: 'Hello', messageId: '<twice@example.org>' };
    const before = await t.count('tickets');
    await smtp.send(mail);
    const second = await smtp.send(mail);
    assert.match(String(second.response), /duplicate/);
    await t.runJobs();
    assert.equal(await t.count('tickets'), before + 1);
    assert.equal((await t.as(admin).get('/api/v1/inbound/emails?limit=200')).body.items.filter((m: any) => m.messageIdHeader === 'twice@example.org').length, 1);
  });

  test('To and Cc people follow the ticket and receive the public replies', async () => {
    // Customers bring in people of their own organisation (CUSTOMER_FOLLOWERS, issue 10 item 14).
    await t.make.organization({ domains: ['clinic.example.org'] });
    await smtp.send({
      from: 'lead@clinic.example.org',
      to: ['support@localhost', 'nurse@clinic.example.org'],
      cc: 'manager@clinic.example.org',
      subject: 'Tablet lost',
      text: 'One tablet was lost.',
    });
    await t.runJobs();
    const ticket = (await t.as(agent).get('/api/v1/tickets?q=Tablet')).body.items.find((x: any) => x.subject === 'Tablet lost');
    const detail = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body;
    assert.equal(detail.followerIds.length, 2);
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'We will wipe it remotely.', public: true });
    await t.runJobs();
    // One message each, to them alone: its Message-ID then proves whom a bounce or a reply is about.
    const replies = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id);
    assert.deepEqual(replies.map((m) => m.recipients.length), [1, 1, 1]);
    assert.deepEqual(replies.map((m) => m.recipients[0]).sort(), ['lead@clinic.example.org', 'manager@clinic.example.org', 'nurse@clinic.example.org']);
    assert.equal(new Set(replies.map((m) => m.messageIdHeader)).size, 3);
    for (const m of replies) {
      const mail = await rawOf(m.id);
      assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []), m.recipients, 'the To line names that recipient alone');
      assert.equal(mail.cc, undefined);
    }
    // An internal note is never mailed.
    const before = (await outbox()).length;
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Check MDM logs', public: false });
    await t.runJobs();
    assert.equal((await outbox()).length, before);
  });
});
