import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * An incident's customer notices reach every linked ticket, whichever group it is in. A group-restricted agent may
 * run an incident, but may not reply to (or solve) other groups' customers through it, and its timeline names a
 * linked ticket by number only, never by a subject they may not read.
 */
describe('incidents and group-restricted agents', () => {
  let t: TestApp;
  let admin: Session;
  let restricted: Session;
  let incidentId = '';
  let hiddenTicket = '';

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    restricted = await t.signIn('agent');
    const customer = await t.signIn('customer');
    const own = await t.make.group('Block Nanded', [restricted]);
    const other = await t.make.group('Block Latur', []);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' })).status, 200);
    const mine = await t.make.ticket(customer, { subject: 'Nanded sync slow' });
    const theirs = await t.make.ticket(customer, { subject: 'Latur: beneficiary list leaked' });
    hiddenTicket = theirs.id as string;
    for (const [id, groupId] of [[mine.id, own.id], [theirs.id, other.id]]) {
      const res = await t.as(admin).patch(`/api/v1/tickets/${id}`, { groupId });
      assert.equal(res.status, 200, res.raw);
    }
    const declared = await t.as(admin).post('/api/v1/incidents', { title: 'Sync outage', severity: 'P1' });
    assert.equal(declared.status, 201, declared.raw);
    incidentId = declared.body.id;
    const linked = await t.as(admin).post(`/api/v1/incidents/${incidentId}/tickets`, { ticketIds: [mine.id, theirs.id] });
    assert.ok(linked.status < 300, linked.raw);
  });
  after(() => t.close());

  test("a restricted agent cannot notify or solve other groups' customers through an incident; nothing is posted or queued", async () => {
    const jobs = await t.count('jobs');
    const updates = (await t.as(admin).get(`/api/v1/incidents/${incidentId}`)).raw;
    const notify = await t.as(restricted).post(`/api/v1/incidents/${incidentId}/updates`, { state: 'identified', body: 'We found it', notifyCustomers: true });
    assert.equal(notify.status, 403, notify.raw);
    assert.match(notify.body.detail, /1 of this incident's 2 linked tickets are outside/);
    assert.equal(await t.count('jobs'), jobs, 'no notice queued');
    assert.equal((await t.as(admin).get(`/api/v1/incidents/${incidentId}`)).raw, updates, 'the incident did not change');
    // An update without a customer notice is theirs to post.
    assert.equal((await t.as(restricted).post(`/api/v1/incidents/${incidentId}/updates`, { state: 'identified', body: 'Cause found' })).status, 201);
    assert.equal((await t.as(admin).post(`/api/v1/incidents/${incidentId}/updates`, { state: 'resolved', body: 'Fixed' })).status, 201);
    const solve = await t.as(restricted).post(`/api/v1/incidents/${incidentId}/solve-tickets`, { notice: 'Fixed, sorry' });
    assert.equal(solve.status, 403, solve.raw);
    const ticket = await t.as(admin).get(`/api/v1/tickets/${hiddenTicket}/messages`);
    assert.doesNotMatch(ticket.raw, /Fixed, sorry|We found it/);
    // An admin, who sees every ticket, tells them all.
    assert.equal((await t.as(admin).post(`/api/v1/incidents/${incidentId}/solve-tickets`, { notice: 'Fixed, sorry' })).status < 300, true);
  });

  test("the timeline names a linked ticket by number only, not by a subject the reader may not see", async () => {
    const seen = await t.as(restricted).get(`/api/v1/incidents/${incidentId}`);
    assert.equal(seen.status, 200, seen.raw);
    assert.doesNotMatch(seen.raw, /beneficiary list leaked/);
    const md = await t.as(restricted).get(`/api/v1/incidents/${incidentId}/markdown`);
    assert.doesNotMatch(md.raw, /beneficiary list leaked/);
  });
});
