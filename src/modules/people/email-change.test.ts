import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/**
 * Changing someone's email, as a mature desk does: the new address becomes their email identity, the old one stays
 * theirs (their old mail still finds them), and no two people ever share an address.
 */
describe("a person's email change and their addresses", () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let priya = '';
  let other = '';

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    priya = (await t.services.people.createUser({ email: 'priya@old.example.org', name: 'Priya', role: 'customer' })).id;
    other = (await t.services.people.createUser({ email: 'ravi@example.org', name: 'Ravi', role: 'customer' })).id;
  });
  after(() => t.close());

  const addresses = async (id: string) => {
    const res = await t.as(admin).get(`/api/v1/users/${id}/identities`);
    assert.equal(res.status, 200, res.raw);
    return (res.body.items as { kind: string; value: string }[]).filter((i) => i.kind === 'email').map((i) => i.value).sort();
  };

  test('the new address becomes their email identity; the old one stays attached to them', async () => {
    const res = await t.as(admin).patch(`/api/v1/users/${priya}`, { email: 'Priya@New.example.org' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.email, 'priya@new.example.org');
    assert.deepEqual(await addresses(priya), ['priya@new.example.org', 'priya@old.example.org']);
    // Intake finds people by identity: mail from either address is Priya's, and nobody new is made for the old one.
    assert.equal((await t.services.identities.findPerson('email', 'priya@new.example.org'))?.id, priya);
    assert.equal((await t.services.identities.findPerson('email', 'PRIYA@old.example.org'))?.id, priya);
    const users = await t.count('users');
    assert.equal((await t.services.people.findOrCreateCustomer({ email: 'priya@old.example.org' })).id, priya);
    assert.equal(await t.count('users'), users);
  });

  test('creating a person, or changing another, to an address someone already has is refused and changes nothing', async () => {
    const users = await t.count('users');
    const identities = await t.count('contact_identities');
    for (const email of ['priya@old.example.org', 'priya@new.example.org']) {
      const created = await t.as(agent).post('/api/v1/users', { email, name: 'Impostor', role: 'customer' });
      assert.equal(created.status, 409, created.raw);
      assert.equal(created.body.code, 'ALREADY_EXISTS');
      assert.match(created.body.detail, /belongs to another person/);
      const changed = await t.as(admin).patch(`/api/v1/users/${other}`, { email, name: 'Renamed' });
      assert.equal(changed.status, 409, changed.raw);
      assert.equal(changed.body.code, 'ALREADY_EXISTS');
    }
    const ravi = await t.services.people.getUser(other);
    assert.equal(ravi.email, 'ravi@example.org');
    assert.equal(ravi.name, 'Ravi', 'nothing of the refused change was kept');
    assert.deepEqual(await addresses(other), ['ravi@example.org']);
    assert.equal(await t.count('users'), users);
    assert.equal(await t.count('contact_identities'), identities);
    const bad = await t.as(admin).patch(`/api/v1/users/${other}`, { email: 'not an address' });
    assert.equal(bad.status, 400, bad.raw);
  });

  test('changing back to an address of their own is allowed and adds no second identity', async () => {
    const res = await t.as(admin).patch(`/api/v1/users/${priya}`, { email: 'priya@old.example.org' });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.email, 'priya@old.example.org');
    assert.deepEqual(await addresses(priya), ['priya@new.example.org', 'priya@old.example.org']);
    const signIn = await t.services.people.getUser(priya);
    assert.equal(signIn.email, 'priya@old.example.org');
  });

  test('an admin removes an old address; the current one, and another person’s, cannot be removed that way', async () => {
    const items = (await t.as(admin).get(`/api/v1/users/${priya}/identities`)).body.items as { id: string; value: string }[];
    const byValue = (v: string) => items.find((i) => i.value === v)?.id as string;
    const current = await t.as(admin).delete(`/api/v1/users/${priya}/identities/${byValue('priya@old.example.org')}`);
    assert.equal(current.status, 409, current.raw);
    assert.equal(current.body.code, 'IN_USE');
    const ravis = ((await t.as(admin).get(`/api/v1/users/${other}/identities`)).body.items as { id: string }[])[0]?.id;
    const notHers = await t.as(admin).delete(`/api/v1/users/${priya}/identities/${ravis}`);
    assert.equal(notHers.status, 404, notHers.raw);
    assert.deepEqual(await addresses(other), ['ravi@example.org']);
    assert.equal((await t.as(agent).delete(`/api/v1/users/${priya}/identities/${byValue('priya@new.example.org')}`)).status, 403);
    const removed = await t.as(admin).delete(`/api/v1/users/${priya}/identities/${byValue('priya@new.example.org')}`);
    assert.equal(removed.status, 204, removed.raw);
    assert.deepEqual(await addresses(priya), ['priya@old.example.org']);
    // The address is free again: someone else may now have it.
    const ravi = await t.as(admin).patch(`/api/v1/users/${other}`, { email: 'priya@new.example.org' });
    assert.equal(ravi.status, 200, ravi.raw);
  });
});
