import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

const form = { impact: 'Every health worker of the block', tried: 'Reinstalled the app', needed: 'Program team to reset the server', urgency: 'high' };

/**
 * Mail proves who sent it; it must also respect what that person may do (security review, findings 1, 2 and 6):
 *  - a customer cannot reach another organisation's ticket by naming one of its Message-IDs (planted there by a
 *    forged reply), nor bring their colleagues onto it as followers;
 *  - a group-restricted agent whose ticket moved out of their groups, or was escalated away (read-only), cannot
 *    reply publicly with an old notification's Message-ID: it is a flagged internal note, no followers, nothing mailed;
 *  - a deactivated customer is never verified.
 * Everything over real SMTP to the built-in listener.
 */
describe('mail scope: what the sender may do, not only who they are', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let restricted: Session;
  let victim: Session;
  let eve: Session;
  let eve2: Session;
  let smtp: Awaited<ReturnType<TestApp['smtp']>>;
  let program = '';
  let block = '';

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { email: 'ann.agent@example.org' });
    restricted = await t.signIn('agent', { email: 'rita.block@example.org' });
    const orgA = await t.make.organization({ name: 'Org A' });
    const orgB = await t.make.organization({ name: 'Org B' });
    victim = await t.signIn('customer', { email: 'victim@orga.example', organizationId: orgA.id });
    eve = await t.signIn('customer', { email: 'eve@orgb.example', organizationId: orgB.id });
    eve2 = await t.signIn('customer', { email: 'eve2@orgb.example', organizationId: orgB.id });
    program = (await t.make.group('Program team', [agent, admin])).id;
    block = (await t.make.group('Block Nanded', [restricted], program)).id;
    const res = await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' });
    assert.equal(res.status, 200, res.raw);
    smtp = await t.smtp();
  });
  after(() => t.close());

  const outbox = async () => (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[];
  const messagesOf = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}/messages`)).body.items as any[];
  const followersOf = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}`)).body.followerIds as string[];
  const notificationTo = async (email: string, ticketId: string) => {
    const n = (await outbox()).filter((m) => m.kind === 'notification' && m.ticketId === ticketId && m.recipients.length === 1 && m.recipients[0] === email).at(-1);
    assert.ok(n, `a notification to ${email}`);
    return n;
  };
  const mailsFor = async (ticketId: string) => (await outbox()).filter((m) => m.ticketId === ticketId && m.kind === 'reply').length;

  test("finding 1: a Message-ID planted on org A's ticket does not let org B's customer (or their Cc) in", async () => {
    const ticket = await t.make.ticket(agent, { subject: 'Org A payroll export', requesterId: victim.user.id });
    await t.runJobs();
    // Step 1: a forged reply "from" the victim plants a Message-ID on the ticket.
    await smtp.send({ from: 'victim@orga.example', to: 'support@localhost', subject: `Re: [#${ticket.number}]`, text: 'Planted.', messageId: '<plant@evil>' });
    await t.runJobs();
    assert.ok((await messagesOf(ticket.id)).some((m) => m.bodyText === 'Planted.'), 'step 1 lands (customers are taken at their word)');
    // Step 2: org B's customer answers the planted Message-ID, copying a colleague.
    await smtp.send({ from: 'eve@orgb.example', to: 'support@localhost', cc: 'eve2@orgb.example', subject: 'Re: hello', text: 'Let us in.', inReplyTo: '<plant@evil>', references: ['<plant@evil>'] });
    await t.runJobs();
    assert.ok(!(await messagesOf(ticket.id)).some((m) => m.bodyText === 'Let us in.'), "eve's mail does not land on org A's ticket");
    const followers = await followersOf(ticket.id);
    assert.ok(!followers.includes(eve2.user.id), 'eve2 does not follow it');
    assert.ok(!followers.includes(eve.user.id), 'eve does not follow it');
    assert.equal((await t.as(eve).get(`/api/v1/tickets/${ticket.id}`)).status, 404, 'eve cannot read it');
    assert.equal((await t.as(eve2).get(`/api/v1/tickets/${ticket.id}`)).status, 404, 'eve2 cannot read it');
    const own = ((await t.as(eve).get('/api/v1/tickets?limit=100')).body.items as any[]).find((x) => x.subject === 'Re: hello');
    assert.ok(own, 'the second mail opens a ticket of its own');
  });

  test("finding 1b: followers a customer's Cc brings must belong to the ticket's organisation, not only the sender's", async () => {
    // Eve (org B) legitimately follows org A's ticket; her Cc of a colleague of hers does not bring org B in.
    const ticket = await t.make.ticket(agent, { subject: 'Org A with a guest', requesterId: victim.user.id, followerIds: [eve.user.id] });
    await t.runJobs();
    await smtp.send({ from: 'eve@orgb.example', to: 'support@localhost', cc: 'eve2@orgb.example', subject: `Re: Org A with a guest [#${ticket.number}]`, text: 'Copying eve2.' });
    await t.runJobs();
    assert.ok((await messagesOf(ticket.id)).some((m) => m.bodyText === 'Copying eve2.'), "eve's reply lands: she follows the ticket");
    assert.ok(!(await followersOf(ticket.id)).includes(eve2.user.id), 'eve2 does not follow it');
    assert.equal((await t.as(eve2).get(`/api/v1/tickets/${ticket.id}`)).status, 404);
  });

  async function assertRefused(ticketId: string, number: number, text: string) {
    const n = await notificationTo('rita.block@example.org', ticketId);
    const before = await mailsFor(ticketId);
    await smtp.send({
      from: 'rita.block@example.org',
      to: 'support@localhost',
      cc: 'attacker@evil.example',
      subject: `Re: [#${number}]`,
      text,
      inReplyTo: `<${n.messageIdHeader}>`,
      references: [`<${n.messageIdHeader}>`],
    });
    await t.runJobs();
    const message = (await messagesOf(ticketId)).find((m) => m.bodyText === text);
    assert.ok(message, 'the message lands on the ticket, for the record');
    assert.equal(message.public, false, 'as an internal note');
    assert.equal(message.senderUnverified, true, 'flagged');
    assert.equal(await mailsFor(ticketId), before, 'nothing mailed to the customer');
    const users = (await t.as(admin).get('/api/v1/users?limit=200')).body.items as any[];
    const ids = await followersOf(ticketId);
    assert.ok(!users.filter((u) => ids.includes(u.id)).some((u) => u.email === 'attacker@evil.example'), 'the Cc follows nothing');
  }

  test('finding 2: a restricted agent replying by mail to a ticket that left their scope gets a flagged note', async () => {
    const ticket = await t.make.ticket(agent, { subject: 'Moved away', requesterId: victim.user.id, groupId: block, assigneeId: restricted.user.id });
    await t.runJobs();
    await notificationTo('rita.block@example.org', ticket.id);
    // Moved to another group and reassigned: outside Rita's groups, 404 for her over the API.
    const moved = await t.as(admin).patch(`/api/v1/tickets/${ticket.id}`, { groupId: program, assigneeId: agent.user.id });
    assert.equal(moved.status, 200, moved.raw);
    await t.runJobs();
    assert.equal((await t.as(restricted).get(`/api/v1/tickets/${ticket.id}`)).status, 404);
    await assertRefused(ticket.id, ticket.number, 'Out of scope, by mail.');
  });

  test('finding 2: an escalated-away ticket (read-only for the tier below) likewise', async () => {
    const ticket = await t.make.ticket(agent, { subject: 'Escalated away', requesterId: victim.user.id, groupId: block, assigneeId: restricted.user.id });
    await t.runJobs();
    await notificationTo('rita.block@example.org', ticket.id);
    const up = await t.as(restricted).post(`/api/v1/tickets/${ticket.id}/escalate`, form);
    assert.equal(up.status, 200, up.raw);
    await t.runJobs();
    assert.equal(up.body.groupId, program);
    assert.notEqual(up.body.assigneeId, restricted.user.id, 'no longer hers');
    assert.equal((await t.as(restricted).get(`/api/v1/tickets/${ticket.id}`)).status, 200, 'she still reads it');
    assert.equal((await t.as(restricted).patch(`/api/v1/tickets/${ticket.id}`, { priority: 'P1' })).status, 403, 'but cannot change it');
    await assertRefused(ticket.id, ticket.number, 'Escalated away, by mail.');
  });

  test('finding 2: a verified reply on a ticket still in her groups stays a public reply', async () => {
    const ticket = await t.make.ticket(agent, { subject: 'In her group', requesterId: victim.user.id, groupId: block, assigneeId: restricted.user.id });
    await t.runJobs();
    const n = await notificationTo('rita.block@example.org', ticket.id);
    const before = await mailsFor(ticket.id);
    await smtp.send({ from: 'rita.block@example.org', to: 'support@localhost', subject: `Re: [#${ticket.number}]`, text: 'In scope, by mail.', inReplyTo: `<${n.messageIdHeader}>` });
    await t.runJobs();
    const message = (await messagesOf(ticket.id)).find((m) => m.bodyText === 'In scope, by mail.');
    assert.equal(message.public, true);
    assert.equal(message.senderUnverified, false);
    assert.equal(await mailsFor(ticket.id), before + 1);
  });

  test('finding 6: a deactivated customer is never verified', async () => {
    const gone = await t.signIn('customer', { email: 'gone@orga.example' });
    const ticket = await t.make.ticket(agent, { subject: 'Old account', requesterId: gone.user.id });
    await t.runJobs();
    assert.equal((await t.as(admin).patch(`/api/v1/users/${gone.user.id}`, { active: false })).status, 200);
    await smtp.send({ from: 'gone@orga.example', to: 'support@localhost', cc: 'friend@orga.example', subject: `Re: Old account [#${ticket.number}]`, text: 'Still me?' });
    await t.runJobs();
    const message = (await messagesOf(ticket.id)).find((m) => m.bodyText === 'Still me?');
    assert.ok(message);
    assert.equal(message.senderUnverified, true, 'flagged unverified');
    assert.equal(message.public, false, 'an internal note');
    const users = (await t.as(admin).get('/api/v1/users?limit=200')).body.items as any[];
    const ids = await followersOf(ticket.id);
    assert.ok(!users.filter((u) => ids.includes(u.id)).some((u) => u.email === 'friend@orga.example'));
  });
});
