import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * Outgoing mail through a real SMTP server (a second smtp-server standing in for the relay), with DKIM: replies
 * and notifications delivered; 4xx retried with backoff; 5xx recorded on the ticket and never retried.
 */
describe('outgoing email over SMTP', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let relay: SMTPServer;
  let relayPort: number;
  const received: { rcpt: string[]; raw: Buffer }[] = [];
  // What the relay answers next: 250, or an error code.
  let answer: { code: number; message: string } | null = null;
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-dkim-'));
  let publicKeyBase64 = '';

  before(async () => {
    relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (answer) return callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
          received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayPort = (relay.server.address() as { port: number }).port;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKeyBase64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    fs.writeFileSync(path.join(keyDir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${relayPort}?ignoreTLS=true`,
      DKIM_DOMAIN: 'localhost',
      DKIM_SELECTOR: 'lifeline',
      DKIM_PRIVATE_KEY_FILE: path.join(keyDir, 'dkim.pem'),
    });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { email: 'agent.smith@example.org' });
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  const outbox = async () => (await t.as(admin).get('/api/v1/outbox?limit=200')).body;

  test('a public reply goes out over SMTP, DKIM-signed, and is logged as sent', async () => {
    const customer = await t.signIn('customer', { email: 'cust@example.org' });
    const ticket = await t.make.ticket(customer, { subject: 'Printer offline' });
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Please restart it.', public: true });
    await t.runJobs();
    const box = await outbox();
    assert.equal(box.mode, 'smtp');
    const reply = box.items.find((m: any) => m.kind === 'reply');
    assert.equal(reply.status, 'sent');
    const delivered = received.find((r) => r.rcpt.includes('cust@example.org'));
    assert.ok(delivered, 'the relay got the reply');
    const mail = await simpleParser(delivered.raw);
    assert.equal(mail.subject, `Re: Printer offline [#${ticket.number}]`);
    // Verified as a receiving server would, with the public key served from a stand-in DNS.
    const verified = await dkimVerify(delivered.raw, {
      resolver: async (name: string, type: string) => {
        assert.equal(`${name} ${type}`, 'lifeline._domainkey.localhost TXT');
        return [[`v=DKIM1; k=rsa; p=${publicKeyBase64}`]];
      },
    });
    assert.equal(verified.results[0]?.status.result, 'pass', JSON.stringify(verified.results[0]?.status));
    assert.equal(verified.results[0]?.signingDomain, 'localhost');
  });

  test('a temporary failure (4xx) is retried with backoff until it goes through', async () => {
    const customer = await t.signIn('customer', { email: 'retry@example.org' });
    const ticket = await t.make.ticket(customer, { subject: 'Retry please' });
    answer = { code: 451, message: '4.3.0 Try again later' };
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'On it.', public: true });
    await t.runJobs();
    let reply = (await outbox()).items.find((m: any) => m.ticketId === ticket.id);
    assert.equal(reply.status, 'queued');
    assert.match(reply.error, /451/);
    answer = null;
    await t.runJobs();
    assert.equal((await outbox()).items.find((m: any) => m.ticketId === ticket.id).status, 'queued', 'not before the backoff');
    t.clock.advance(10_000);
    await t.runJobs();
    reply = (await outbox()).items.find((m: any) => m.ticketId === ticket.id);
    assert.equal(reply.status, 'sent');
    assert.equal(reply.attempts, 2);
  });

  test('a permanent failure (5xx) is recorded on the message and shown on the ticket, never retried', async () => {
    const customer = await t.signIn('customer', { email: 'nobody@example.org' });
    const ticket = await t.make.ticket(customer, { subject: 'Will fail' });
    answer = { code: 550, message: '5.1.1 No such user' };
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Hello?', public: true });
    await t.runJobs();
    answer = null;
    const reply = (await outbox()).items.find((m: any) => m.ticketId === ticket.id);
    assert.equal(reply.status, 'failed');
    assert.match(reply.error, /550/);
    const messages = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[];
    const note = messages.find((m) => m.public === false);
    assert.match(note.bodyText, /could not be delivered: 550/);
    t.clock.advance(3600_000);
    await t.runJobs();
    assert.equal((await outbox()).items.find((m: any) => m.ticketId === ticket.id).attempts, 1);
  });

  test('agents are notified of new tickets in their group and of assignments, by email', async () => {
    const colleague = await t.signIn('agent', { email: 'colleague@example.org' });
    const group = await t.make.group('Second line', [agent, colleague]);
    const customer = await t.signIn('customer', { email: 'notify@example.org' });
    const ticket = await t.make.ticket(customer, { subject: 'Needs L2' });
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { groupId: group.id });
    await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { assigneeId: colleague.user.id });
    await t.runJobs();
    const notes = (await outbox()).items.filter((m: any) => m.kind === 'notification' && m.ticketId === ticket.id);
    assert.equal(notes.length, 1, 'assignment (the group move is not a new ticket)');
    assert.deepEqual(notes[0].recipients, ['colleague@example.org']);
    assert.match(notes[0].subject, /Assigned to you: Needs L2/);

    const inGroup = await t.make.ticket(agent, { subject: 'Born in L2', groupId: group.id, requesterId: customer.user.id });
    await t.runJobs();
    const created = (await outbox()).items.filter((m: any) => m.kind === 'notification' && m.ticketId === inGroup.id);
    assert.equal(created.length, 1);
    assert.deepEqual(created[0].recipients, ['colleague@example.org'], 'not to the agent who created it');
    const mail = await simpleParser((await t.as(admin).get(`/api/v1/outbox/${created[0].id}/raw`)).raw);
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');

    // The requester answers: the assignee hears of it.
    t.clock.advance(60_000);
    await t.as(customer).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Any news?' });
    await t.runJobs();
    const replied = (await outbox()).items.filter((m: any) => m.kind === 'notification' && m.ticketId === ticket.id && /replied/.test(m.subject));
    assert.equal(replied.length, 1);
    assert.deepEqual(replied[0].recipients, ['colleague@example.org']);
  });
});
