import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { AppError } from '../../platform/errors.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import type { Handover } from './intake.service.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

/** The one intake pipeline (channels/intake.service.ts) and replies through the ticket's channel (replies.service.ts). */
describe('intake pipeline and reply deliverers', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let orgId: string;
  let n = 0;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    orgId = (await t.make.organization()).id;
  });
  after(async () => {
    await t?.close();
  });

  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await t.database.db.execute(query));
  const slack = (over: Partial<Handover> = {}): Handover => ({
    channel: 'slack',
    identity: { kind: 'slack', scope: 'T0INTAKE', value: 'U0ASKER', displayName: 'Asker on Slack' },
    externalId: `1733130000.${String(++n).padStart(6, '0')}`,
    externalThread: 'thread-1',
    subject: 'Printer on floor 2',
    body: 'The printer on floor 2 prints blank pages.',
    format: 'text',
    ...over,
  });
  const mail = async (from: string, subject: string, text: string) => {
    const id = ++n;
    const raw = crlf([`From: ${from}`, 'To: support@localhost', `Subject: ${subject}`, `Message-ID: <intake-${id}@mail.example.org>`, 'Date: Wed, 02 Dec 2026 07:00:00 +0000', '', text, '']);
    const accepted = await t.services.email.inbound.accept(raw, { source: 'http', envelopeTo: ['support@localhost'] });
    await t.runJobs();
    return (await t.services.email.inbound.get(accepted.id)) as { ticketId: string | null; outcome: string | null; status: string };
  };
  const requesterOf = async (ticketId: string) => (await q<{ requester_id: string }>(sql`select requester_id from tickets where id = ${ticketId}`))[0]?.requester_id;

  test('mail from an address that was merged away lands with the surviving person, found by identity (not the deactivated duplicate)', async () => {
    const survivor = await t.signIn('customer', { organizationId: orgId, email: `survivor${n}@clinic.example.org` });
    const duplicate = await t.signIn('customer', { organizationId: orgId, email: `old-address${n}@clinic.example.org` });
    const own = await t.make.ticket(survivor, { subject: 'Badge reader' });
    const merged = await t.as(admin).post(`/api/v1/users/${survivor.user.id}/merge`, { duplicateId: duplicate.user.id });
    assert.equal(merged.status, 200, merged.raw);

    const fresh = await mail(duplicate.user.email, 'Scanner jams', 'The scanner jams on every page.');
    assert.equal(fresh.status, 'processed');
    assert.equal(fresh.outcome, 'new_ticket', 'the survivor is an active customer: verified, not "deactivated"');
    assert.equal(await requesterOf(fresh.ticketId as string), survivor.user.id);

    // A reply from the old address with the survivor's ticket number threads onto it (they take part in it).
    const reply = await mail(duplicate.user.email, `Re: Badge reader [#${own.number}]`, 'Still broken.');
    assert.equal(reply.ticketId, own.id);
    assert.equal(reply.outcome, 'reply');
    const [last] = await q<{ author_id: string; external_id: string }>(sql`select author_id, external_id from messages where ticket_id = ${own.id} order by created_at desc limit 1`);
    assert.equal(last?.author_id, survivor.user.id);
    assert.match(last?.external_id ?? '', /^intake-\d+@mail\.example\.org$/, 'the Message-ID is written on the message');
  });

  test('a Slack user becomes a person known by that identity; the next message in the thread lands on the same ticket, another thread opens another', async () => {
    const first = await t.services.intake.receive(slack());
    assert.equal(first.created, true);
    assert.equal(first.duplicate, false);
    const person = await t.services.identities.findPerson('slack', 'U0ASKER', 'T0INTAKE');
    assert.ok(person);
    assert.equal(person.role, 'customer');
    assert.equal(person.name, 'Asker on Slack');
    assert.equal(await requesterOf(first.ticketId), person.id);

    const second = await t.services.intake.receive(slack({ body: 'Now it prints nothing at all.' }));
    assert.equal(second.ticketId, first.ticketId);
    assert.equal(second.created, false);
    const other = await t.services.intake.receive(slack({ externalThread: 'thread-2', subject: 'VPN' }));
    assert.notEqual(other.ticketId, first.ticketId);
    assert.equal(await requesterOf(other.ticketId), person.id, 'the same person, found by identity');

    const rows = await q<{ channel: string; external_id: string }>(sql`select channel, external_id from messages where ticket_id = ${first.ticketId} order by created_at`);
    assert.deepEqual(
      rows.map((r) => r.channel),
      ['slack', 'slack'],
    );
    assert.ok(rows.every((r) => /^1733130000\.\d{6}$/.test(r.external_id)), 'messages.external_id is always written');
    const [ticket] = await q<{ channel: string }>(sql`select channel from tickets where id = ${first.ticketId}`);
    assert.equal(ticket?.channel, 'slack');
  });

  test('a message is taken in once: handed over again, replayed, or by two processes at once, all find the first', async () => {
    const tickets = await t.count('tickets');
    const messages = await t.count('messages');
    const h = slack({ externalThread: `dedupe-${n}` });
    const first = await t.services.intake.receive(h);
    const again = await t.services.intake.receive(h);
    assert.equal(again.duplicate, true);
    assert.equal(again.ticketId, first.ticketId);
    assert.equal(again.messageId, first.messageId);

    // Two at once: both pass the read of the ledger, one commits, the other's insert hits the unique index and
    // rolls its whole ticket back.
    const racing = slack({ externalThread: `race-${n}` });
    const [a, b] = await Promise.all([t.services.intake.receive(racing), t.services.intake.receive(racing)]);
    assert.equal(a.ticketId, b.ticketId);
    assert.equal(a.messageId, b.messageId);
    assert.deepEqual([a.duplicate, b.duplicate].sort(), [false, true]);
    assert.equal(await t.count('tickets'), tickets + 2);
    assert.equal(await t.count('messages'), messages + 2);
    const ledger = await q<{ n: number }>(sql`select count(*)::int as n from channel_messages where external_id = ${racing.externalId}`);
    assert.equal(ledger[0]?.n, 1);
  });

  test('bad hand-overs are refused with a clear error and write nothing', async () => {
    const tickets = await t.count('tickets');
    const users = await t.count('users');
    await assert.rejects(t.services.intake.receive(slack({ externalId: '  ' })), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.match(err.message, /external id/);
      return true;
    });
    await assert.rejects(t.services.intake.receive(slack({ identity: { kind: 'github', value: 'not a login!' } })), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.match(err.message, /GitHub login/);
      return true;
    });
    assert.equal(await t.count('tickets'), tickets);
    assert.equal(await t.count('users'), users);
  });

  test("an agent's public reply goes back through the ticket's channel: by email on an email ticket, kept with a clear status on a channel with no deliverer", async () => {
    const onSlack = await t.services.intake.receive(slack({ externalThread: `reply-${n}` }));
    const slackReply = await t.as(agent).post(`/api/v1/tickets/${onSlack.ticketId}/messages`, { body: 'Try the other tray.' });
    assert.equal(slackReply.status, 201, slackReply.raw);
    const requester = `requester${++n}@clinic.example.org`;
    const byMail = await mail(requester, 'Monitor flickers', 'It flickers.');
    const mailReply = await t.as(agent).post(`/api/v1/tickets/${byMail.ticketId}/messages`, { body: 'Swap the cable, please.' });
    assert.equal(mailReply.status, 201, mailReply.raw);
    const outbox = await t.count('outbound_emails');
    await t.runJobs();

    const slackId = slackReply.body.messageId;
    const mailId = mailReply.body.messageId;
    assert.equal((await t.services.replies.status(slackId))?.status, 'no_deliverer');
    assert.match((await t.services.replies.status(slackId))?.detail ?? '', /no reply deliverer for the slack channel/);
    assert.equal((await t.services.replies.status(mailId))?.status, 'handed_over');
    const sent = await q<{ kind: string; to_address: string }>(sql`select kind, to_address from outbound_emails where message_id = ${mailId}`);
    assert.deepEqual(sent, [{ kind: 'reply', to_address: requester }]);
    assert.equal(await t.count('outbound_emails'), outbox + 1, 'one mail: the email reply; nothing for the Slack ticket');
    const onSlackMail = await q<{ n: number }>(sql`select count(*)::int as n from outbound_emails where ticket_id = ${onSlack.ticketId} and kind = 'reply'`);
    assert.equal(onSlackMail[0]?.n, 0);
  });
});
