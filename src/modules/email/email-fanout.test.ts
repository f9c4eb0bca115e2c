import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * The cost of one public reply is bounded (review finding: a reply went out as one stored copy per recipient, with
 * its attachments in each, so a customer who Cc'd many people made every reply cost that many copies):
 *  - a ticket has at most MAX_CUSTOMER_FOLLOWERS customer followers however they come (Cc over several messages,
 *    the API); mail drops the extra addresses and the ticket says so once in an internal note, the API refuses;
 *  - a public reply whose attachments × recipients exceed MAX_REPLY_MAIL_BYTES is refused before anything is written.
 */
describe('bounded fan-out of a reply', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let smtp: Awaited<ReturnType<TestApp['smtp']>>;

  before(async () => {
    t = await startTestApp({ MAX_CUSTOMER_FOLLOWERS: '3', MAX_REPLY_MAIL_BYTES: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { email: 'fan.agent@example.org' });
    await t.make.organization({ domains: ['ward.example.org'] });
    smtp = await t.smtp();
  });
  after(() => t.close());

  const outbox = async () => (await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[];
  const detailOf = async (id: string) => (await t.as(admin).get(`/api/v1/tickets/${id}`)).body;
  const notesOf = async (id: string) => ((await t.as(admin).get(`/api/v1/tickets/${id}/messages`)).body.items as any[]).filter((m) => !m.public);
  const rawOf = async (id: string) => simpleParser((await t.as(admin).get(`/api/v1/outbox/${id}/raw`)).raw);
  const upload = (who: Session, bytes: number) =>
    t.request('POST', '/api/v1/attachments?filename=scan.bin', Buffer.alloc(bytes, 7), { ...who.headers, 'content-type': 'application/octet-stream' });

  test('Cc across several messages adds customer followers up to the cap; the rest are left out, and the ticket says so once', async () => {
    await smtp.send({ from: 'head@ward.example.org', to: 'support@localhost', cc: ['a@ward.example.org', 'b@ward.example.org'], subject: 'Scanner broken', text: 'It jams.' });
    await t.runJobs();
    const ticket = (await t.as(agent).get('/api/v1/tickets?q=Scanner')).body.items.find((x: any) => x.subject === 'Scanner broken');
    assert.equal((await detailOf(ticket.id)).followerIds.length, 2);
    await smtp.send({
      from: 'head@ward.example.org',
      to: 'support@localhost',
      cc: ['a@ward.example.org', 'c@ward.example.org', 'd@ward.example.org', 'e@ward.example.org'],
      subject: `Re: Scanner broken [#${ticket.number}]`,
      text: 'Copying more people.',
    });
    await t.runJobs();
    assert.equal((await detailOf(ticket.id)).followerIds.length, 3, 'the cap holds across messages');
    const notes = await notesOf(ticket.id);
    assert.equal(notes.length, 1);
    assert.match(notes[0].bodyText, /limit of 3/);
    assert.match(notes[0].bodyText, /e@ward\.example\.org/);
    // More Cc later: still three, and no second note.
    await smtp.send({ from: 'head@ward.example.org', to: 'support@localhost', cc: ['f@ward.example.org', 'g@ward.example.org'], subject: `Re: Scanner broken [#${ticket.number}]`, text: 'And more.' });
    await t.runJobs();
    assert.equal((await detailOf(ticket.id)).followerIds.length, 3);
    assert.equal((await notesOf(ticket.id)).length, 1, 'said once');
    // A reply goes to the requester and the three followers: four copies, no more.
    await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'A technician comes today.', public: true });
    await t.runJobs();
    assert.equal((await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id).length, 4);
  });

  test('the API refuses customer followers over the cap (FOLLOWER_LIMIT) and changes nothing', async () => {
    const customers = await Promise.all([1, 2, 3, 4].map((n) => t.services.people.findOrCreateCustomer({ email: `api${n}@ward.example.org` })));
    const requester = await t.signIn('customer', { email: 'api.req@ward.example.org' });
    const over = await t.as(agent).post('/api/v1/tickets', { subject: 'Too many', description: 'x', requesterId: requester.user.id, followerIds: customers.map((c) => c.id) });
    assert.equal(over.status, 422, over.raw);
    assert.equal(over.body.code, 'FOLLOWER_LIMIT');
    const ticket = await t.make.ticket(agent, { subject: 'Three follow', requesterId: requester.user.id, followerIds: customers.slice(0, 3).map((c) => c.id) });
    const before = await detailOf(ticket.id);
    const res = await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { followerIds: customers.map((c) => c.id) });
    assert.equal(res.status, 422, res.raw);
    assert.equal(res.body.code, 'FOLLOWER_LIMIT');
    assert.match(res.body.detail, /3/);
    const afterwards = await detailOf(ticket.id);
    assert.deepEqual([...afterwards.followerIds].sort(), [...before.followerIds].sort());
    assert.equal(afterwards.version, before.version);
    // Staff followers do not count against it.
    const ok = await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { followerIds: [...customers.slice(0, 3).map((c) => c.id), admin.user.id] });
    assert.equal(ok.status, 200, ok.raw);
  });

  test("a reply whose attachments × recipients exceed the bound is refused (REPLY_TOO_LARGE) before anything is written", async () => {
    const requester = await t.signIn('customer', { email: 'big.req@ward.example.org' });
    const f1 = await t.services.people.findOrCreateCustomer({ email: 'big1@ward.example.org' });
    const f2 = await t.services.people.findOrCreateCustomer({ email: 'big2@ward.example.org' });
    const ticket = await t.make.ticket(agent, { subject: 'Large scans', requesterId: requester.user.id, followerIds: [f1.id, f2.id] });
    await t.runJobs();
    const file = (await upload(agent, 40_000)).body;
    const counts = async () => ({ messages: await t.count('messages'), outbound: await t.count('outbound_emails'), raw: await t.count('email_raw') });
    const before = await counts();
    // 40 kB to three people is 120 kB, over 100 kB.
    const refused = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Scans attached.', public: true, attachmentIds: [file.id] });
    assert.equal(refused.status, 422, refused.raw);
    assert.equal(refused.body.code, 'REPLY_TOO_LARGE');
    assert.match(refused.body.detail, /link/);
    await t.runJobs();
    assert.deepEqual(await counts(), before, 'nothing written');
    // An internal note with the same file is not mailed, so it is not bounded.
    // Two recipients: 80 kB, accepted with the same (still unused) upload.
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { followerIds: [f1.id] })).status, 200);
    const ok = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Scans attached.', public: true, attachmentIds: [file.id] });
    assert.equal(ok.status, 201, ok.raw);
    // A follower added before the reply's mail is composed (a Cc arriving meanwhile) would make it 120 kB: the last
    // copy goes without the file, and says so.
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${ticket.id}`, { followerIds: [f1.id, f2.id] })).status, 200);
    await t.runJobs();
    const replies = (await outbox()).filter((m) => m.kind === 'reply' && m.ticketId === ticket.id);
    assert.equal(replies.length, 3);
    const mails = await Promise.all(replies.map(async (m) => ({ to: m.recipients[0], mail: await rawOf(m.id) })));
    const withFile = mails.filter((x) => x.mail.attachments.length === 1).map((x) => x.to);
    assert.equal(withFile.length, 2);
    assert.ok(withFile.includes('big.req@ward.example.org'), 'the requester gets the file');
    const lean = mails.find((x) => x.mail.attachments.length === 0);
    assert.match(lean?.to ?? '', /^big[12]@/);
    assert.match(lean?.mail.text ?? '', /left out of this copy.*scan\.bin/);
  });
});
