import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Findings of the review of issue 10's fixes: a group-restricted agent must not reach another group's rota and
 * hand-over notes through the group routes, a ticket's links must not name tickets the caller may not see (and
 * customers get no external links: those are the desk's working notes), and the bouncing-address list is for admins.
 */
describe('group-scoped routes and links respect who may see what', () => {
  let t: TestApp;
  let admin: Session;
  let blockAgent: Session;
  let programAgent: Session;
  let customer: Session;
  let block: string;
  let other: string;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    blockAgent = await t.signIn('agent');
    programAgent = await t.signIn('agent');
    customer = await t.signIn('customer');
    block = (await t.make.group('Block Nanded', [blockAgent])).id;
    other = (await t.make.group('Block Latur', [programAgent])).id;
    const restricted = await t.as(admin).patch(`/api/v1/users/${blockAgent.user.id}`, { ticketAccess: 'groups' });
    assert.equal(restricted.status, 200, restricted.raw);
  });
  after(() => t.close());

  test("a restricted agent reads and writes only their own groups' rota and hand-over notes", async () => {
    const day = '2026-12-07';
    const own = t.as(blockAgent);
    // Each is today's triager of their own group (hand-over notes are theirs to write).
    const today = '2026-03-02';
    assert.equal((await own.put(`/api/v1/groups/${block}/rota`, { entries: [{ day: today, userId: blockAgent.user.id }] })).status, 204);
    assert.equal((await t.as(programAgent).put(`/api/v1/groups/${other}/rota`, { entries: [{ day: today, userId: programAgent.user.id }] })).status, 204);
    assert.equal((await own.get(`/api/v1/groups/${block}/handover`)).status, 200);
    assert.equal((await own.post(`/api/v1/groups/${block}/handover`, { body: 'Nanded: all quiet' })).status, 201);
    assert.equal((await own.get(`/api/v1/groups/${block}/rota?from=${day}&to=${day}`)).status, 200);
    const note = await t.as(programAgent).post(`/api/v1/groups/${other}/handover`, { body: 'Latur: district data, do not share' });
    assert.equal(note.status, 201, note.raw);
    for (const res of [
      await own.get(`/api/v1/groups/${other}/handover`),
      await own.post(`/api/v1/groups/${other}/handover`, { body: 'planted' }),
      await own.get(`/api/v1/groups/${other}/rota?from=${day}&to=${day}`),
      await own.put(`/api/v1/groups/${other}/rota`, { entries: [{ day, userId: blockAgent.user.id }] }),
      await own.post(`/api/v1/groups/${other}/rota/swap`, { dayA: day, dayB: '2026-12-08' }),
      await own.get(`/api/v1/groups/${other}/assignment`),
    ]) {
      assert.equal(res.status, 404, res.raw);
      assert.equal(res.body.code, 'GROUP_NOT_FOUND');
    }
    const notes = (await t.as(programAgent).get(`/api/v1/groups/${other}/handover`)).body.notes as { body: string }[];
    assert.deepEqual(
      notes.map((n) => n.body),
      ['Latur: district data, do not share'],
      'nothing was planted',
    );
    assert.equal((await t.as(programAgent).get(`/api/v1/groups/${other}/rota?from=${day}&to=${day}`)).body.items.length, 0, 'the rota was not rewritten');
  });

  test('links name only tickets the caller may see; customers get no external links', async () => {
    const mine = await t.make.ticket(programAgent, { subject: 'Nanded printer', requesterId: customer.user.id, groupId: block });
    const hidden = await t.make.ticket(programAgent, { subject: 'Latur: tablets lost', requesterId: customer.user.id, groupId: other });
    assert.equal((await t.as(programAgent).post(`/api/v1/tickets/${mine.id}/links`, { kind: 'related', targetTicketId: hidden.id })).status, 201);
    assert.equal((await t.as(programAgent).post(`/api/v1/tickets/${mine.id}/links`, { kind: 'external', url: 'https://jira.internal.example/browse/OPS-1', title: 'internal' })).status, 201);
    const asProgram = (await t.as(programAgent).get(`/api/v1/tickets/${mine.id}`)).body.links as { targetTicketId: string | null }[];
    assert.equal(asProgram.length, 2, 'an agent who sees both sees both links');
    const asBlock = (await t.as(blockAgent).get(`/api/v1/tickets/${mine.id}`)).body.links as { targetTicketId: string | null; url: string | null }[];
    assert.deepEqual(
      asBlock.map((l) => l.url),
      ['https://jira.internal.example/browse/OPS-1'],
      'the link to a ticket outside their groups is left out',
    );
    const asCustomer = await t.as(customer).get(`/api/v1/tickets/${mine.id}`);
    assert.equal(asCustomer.status, 200, asCustomer.raw);
    // The customer requested both tickets, so the ticket link is theirs to see; the agents' external link is not.
    assert.deepEqual(
      (asCustomer.body.links as { targetTicketId: string | null }[]).map((l) => l.targetTicketId),
      [hidden.id],
    );
  });

  test('the bouncing-address list is for admins only', async () => {
    assert.equal((await t.as(blockAgent).get('/api/v1/email/bouncing')).status, 403);
    assert.equal((await t.as(admin).get('/api/v1/email/bouncing')).status, 200);
  });
});
