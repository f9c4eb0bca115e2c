import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('contact identities and merging people', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let orgId: string;
  let otherOrgId: string;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    orgId = (await t.make.organization()).id;
    otherOrgId = (await t.make.organization()).id;
  });
  after(async () => {
    await t?.close();
  });

  const identities = async (userId: string) => (await t.as(admin).get(`/api/v1/users/${userId}/identities`)).body;

  test('every new user has their email as an identity, found whatever its case', async () => {
    const user = await t.services.people.createUser({ email: 'Mixed.Case@Clinic.example.org', name: 'Mixed', role: 'customer' });
    const list = await identities(user.id);
    assert.deepEqual(
      list.items.map((i: { kind: string; value: string; scope: string }) => [i.kind, i.scope, i.value]),
      [['email', '', 'mixed.case@clinic.example.org']],
    );
    assert.equal((await t.services.identities.findPerson('email', 'MIXED.case@clinic.example.org'))?.id, user.id);
    assert.equal(await t.services.identities.findPerson('email', 'nobody@clinic.example.org'), undefined);
    // Customers Lifeline makes on the fly (a ticket on someone's behalf, email intake) get theirs too.
    await t.make.ticket(agent, { subject: 'On behalf', requester: { email: 'New.Reporter@field.example.org' } });
    const reporter = await t.services.people.findUserByEmail('new.reporter@field.example.org');
    assert.ok(reporter);
    assert.equal((await t.services.identities.findPerson('email', 'new.reporter@field.example.org'))?.id, reporter.id);
  });

  test('an identity is attached to one person; the same value in another scope is another identity; bad values are refused', async () => {
    const ana = await t.services.people.createUser({ email: 'ana@clinic.example.org', name: 'Ana', role: 'customer' });
    const ben = await t.services.people.createUser({ email: 'ben@clinic.example.org', name: 'Ben', role: 'customer' });
    const attached = await t.as(admin).post(`/api/v1/users/${ana.id}/identities`, { kind: 'slack', scope: 'T0001', value: 'U123' });
    assert.equal(attached.status, 201, attached.raw);
    assert.equal((await t.as(admin).post(`/api/v1/users/${ana.id}/identities`, { kind: 'slack', scope: 'T0001', value: 'U123' })).status, 201, 'again: no-op');
    const taken = await t.as(admin).post(`/api/v1/users/${ben.id}/identities`, { kind: 'slack', scope: 'T0001', value: 'U123' });
    assert.equal(taken.status, 409, taken.raw);
    assert.equal(taken.body.code, 'ALREADY_EXISTS');
    assert.equal(taken.body.errors[0].path, 'body.value');
    assert.equal((await t.as(admin).post(`/api/v1/users/${ben.id}/identities`, { kind: 'slack', scope: 'T0002', value: 'U123' })).status, 201);
    assert.equal((await t.services.identities.findPerson('slack', 'U123', 'T0001'))?.id, ana.id);
    assert.equal((await t.services.identities.findPerson('slack', 'U123', 'T0002'))?.id, ben.id);
    await t.as(admin).post(`/api/v1/users/${ben.id}/identities`, { kind: 'github', value: 'Ben-Dev' });
    assert.equal((await t.services.identities.findPerson('github', 'ben-dev'))?.id, ben.id);

    const phone = await t.as(admin).post(`/api/v1/users/${ben.id}/identities`, { kind: 'phone', value: 'call me' });
    assert.equal(phone.status, 400, phone.raw);
    assert.equal(phone.body.code, 'VALIDATION_FAILED');
    assert.equal(phone.body.errors[0].path, 'body.value');
    const kind = await t.as(admin).post(`/api/v1/users/${ben.id}/identities`, { kind: 'fax', value: '1' });
    assert.equal(kind.status, 400, kind.raw);
    assert.equal((await t.as(agent).post(`/api/v1/users/${ben.id}/identities`, { kind: 'phone', value: '+4412345' })).status, 403);
    assert.equal((await identities(ben.id)).items.length, 3, 'email, slack in T0002, github: nothing from the refused calls');
  });

  test('merging moves tickets, messages, follows and identities to the survivor, deactivates and signs out the duplicate, and records it', async () => {
    const survivor = await t.signIn('customer', { organizationId: orgId });
    const duplicate = await t.signIn('customer', { organizationId: orgId });
    const own = await t.make.ticket(survivor, { subject: 'Survivor ticket' });
    const dupTicket = await t.make.ticket(duplicate, { subject: 'Duplicate ticket' });
    const reply = await t.as(duplicate).post(`/api/v1/tickets/${dupTicket.id}/messages`, { body: 'More detail from the duplicate' });
    assert.equal(reply.status, 201, reply.raw);
    // The duplicate follows a colleague's ticket.
    const colleague = await t.signIn('customer', { organizationId: orgId });
    const colleagueTicket = await t.make.ticket(agent, { subject: 'Colleague ticket', requesterId: colleague.user.id, followerIds: [duplicate.user.id] });
    await t.as(admin).post(`/api/v1/users/${duplicate.user.id}/identities`, { kind: 'widget', scope: 'site-1', value: 'visitor-9' });

    const merged = await t.as(admin).post(`/api/v1/users/${survivor.user.id}/merge`, { duplicateId: duplicate.user.id });
    assert.equal(merged.status, 200, merged.raw);
    assert.deepEqual(merged.body.moved, { tickets: 1, messages: 2, follows: 1, identities: 2 });

    // The duplicate is gone: deactivated, its session no longer works.
    assert.equal((await t.as(duplicate).get('/api/v1/tickets')).status, 401);
    assert.equal((await t.as(admin).get(`/api/v1/users/${duplicate.user.id}`)).body.active, false);
    // The survivor has everything.
    const theirs = (await t.as(survivor).get('/api/v1/tickets')).body.items.map((x: { subject: string }) => x.subject).sort();
    assert.deepEqual(theirs, ['Colleague ticket', 'Duplicate ticket', 'Survivor ticket']);
    const detail = await t.as(admin).get(`/api/v1/tickets/${dupTicket.id}`);
    assert.equal(detail.body.requesterId ?? detail.body.requester?.id, survivor.user.id);
    const followers = (await t.as(admin).get(`/api/v1/tickets/${colleagueTicket.id}`)).body;
    assert.ok(JSON.stringify(followers).includes(survivor.user.id));
    assert.ok(!JSON.stringify(followers).includes(duplicate.user.id));
    assert.equal((await t.services.identities.findPerson('email', duplicate.user.email))?.id, survivor.user.id, "the duplicate's address now finds the survivor");
    assert.equal((await t.services.identities.findPerson('widget', 'visitor-9', 'site-1'))?.id, survivor.user.id);
    const record = await identities(survivor.user.id);
    assert.equal(record.merges.length, 1);
    assert.equal(record.merges[0].mergedId, duplicate.user.id);
    assert.equal(record.merges[0].mergedEmail, duplicate.user.email);
    assert.equal(record.merges[0].actorId, admin.user.id);
    assert.equal(own.requesterId ?? survivor.user.id, survivor.user.id);

    const again = await t.as(admin).post(`/api/v1/users/${survivor.user.id}/merge`, { duplicateId: duplicate.user.id });
    assert.equal(again.status, 422);
    assert.equal(again.body.code, 'CANNOT_MERGE_PEOPLE');
  });

  test('merges across organisations, of staff, into oneself or of nobody are refused and change nothing', async () => {
    const a = await t.signIn('customer', { organizationId: orgId });
    const b = await t.signIn('customer', { organizationId: otherOrgId });
    const loose = await t.signIn('customer', { organizationId: null as unknown as string });
    const bTicket = await t.make.ticket(b, { subject: 'Other organisation' });
    const tickets = await t.count('tickets');

    for (const [survivorId, duplicateId, path] of [
      [a.user.id, b.user.id, 'body.duplicateId'],
      [a.user.id, loose.user.id, 'body.duplicateId'],
      [a.user.id, agent.user.id, 'body.duplicateId'],
      [a.user.id, a.user.id, 'body.duplicateId'],
    ] as const) {
      const res = await t.as(admin).post(`/api/v1/users/${survivorId}/merge`, { duplicateId });
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.body.code, 'CANNOT_MERGE_PEOPLE');
      assert.equal(res.body.errors[0].path, path);
    }
    const unknown = await t.as(admin).post(`/api/v1/users/${a.user.id}/merge`, { duplicateId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(unknown.status, 422, unknown.raw);
    assert.equal(unknown.body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(agent).post(`/api/v1/users/${a.user.id}/merge`, { duplicateId: b.user.id })).status, 403);

    // Nothing moved: b keeps its ticket and its session; a does not see it.
    assert.equal(await t.count('tickets'), tickets);
    assert.equal((await t.as(b).get(`/api/v1/tickets/${bTicket.id}`)).status, 200);
    assert.equal((await t.as(a).get(`/api/v1/tickets/${bTicket.id}`)).status, 404);
    assert.equal((await identities(a.user.id)).merges.length, 0);
  });
});
