import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

// Review of the on-call module as an attacker: a page link mailed to someone acted as that person for 24 hours
// even after they were deactivated or made a customer (a person let go could silence a P0 page's escalation).

describe('on-call page links', () => {
  let t: TestApp;
  let admin: Session;
  let eng: Session;
  let policyId: string;
  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    eng = await t.signIn('agent', { email: 'eng@example.org' });
    const policy = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Only eng', steps: [{ delayMinutes: 15, targets: [{ type: 'user', id: eng.user.id }] }] });
    assert.equal(policy.status, 201, policy.raw);
    policyId = policy.body.id;
  });
  after(() => t.close());

  async function pageAndLink(title: string, person: Session): Promise<{ id: string; url: URL }> {
    const page = await t.as(admin).post('/api/v1/oncall/pages', { policyId, title, body: '' });
    assert.equal(page.status, 201, page.raw);
    const url = new URL(await t.services.oncall.pages.link(t.database.db, page.body.id, person.user.id, 'resolve'));
    return { id: page.body.id, url };
  }
  const useLink = (url: URL) => t.request('POST', url.pathname, `token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`, { 'content-type': 'application/x-www-form-urlencoded' });
  const statusOf = async (id: string) => (await t.as(admin).get(`/api/v1/oncall/pages/${id}`)).body.status;

  test("a deactivated person's link no longer acts, and says why; the page stays triggered", async () => {
    const other = await t.signIn('agent', { email: 'leaver@example.org' });
    const { id, url } = await pageAndLink('Disk full', other);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${other.user.id}`, { active: false })).status, 200);
    const confirm = await t.request('GET', url.pathname + url.search);
    assert.equal(confirm.status, 403);
    assert.match(confirm.raw, /data-code="PAGE_LINK_PERSON_GONE"/);
    const used = await useLink(url);
    assert.equal(used.status, 403);
    assert.match(used.raw, /deactivated/);
    assert.equal(await statusOf(id), 'triggered');
  });

  test("a person made a customer: their link no longer acts", async () => {
    const other = await t.signIn('agent', { email: 'demoted@example.org' });
    const { id, url } = await pageAndLink('Queue stuck', other);
    assert.equal((await t.as(admin).patch(`/api/v1/users/${other.user.id}`, { role: 'customer' })).status, 200);
    assert.match((await useLink(url)).raw, /data-code="PAGE_LINK_PERSON_GONE"/);
    assert.equal(await statusOf(id), 'triggered');
  });

  test('an active staff member’s link still works', async () => {
    const { id, url } = await pageAndLink('Certificate expiring', eng);
    assert.equal((await useLink(url)).status, 200);
    assert.equal(await statusOf(id), 'resolved');
  });
});
