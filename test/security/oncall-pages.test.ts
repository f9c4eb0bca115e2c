import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * A page's title carries its ticket's subject: a group-restricted agent or light agent sees a ticket's page only
 * when they may see the ticket or the page reached them; admins see every page; pages with no ticket stay
 * visible to all staff. Reading, listing, acknowledging and resolving all follow it.
 */
describe('on-call pages follow the visibility of their tickets', () => {
  let t: TestApp;
  let admin: Session;
  let restricted: Session;
  let light: Session;
  let paged: Session;
  let otherAgent: Session;
  let customer: Session;
  const ids = { hidden: '', own: '', manual: '' };

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    restricted = await t.signIn('agent');
    light = await t.signIn('light_agent');
    paged = await t.signIn('agent');
    otherAgent = await t.signIn('agent');
    customer = await t.signIn('customer');
    const block = (await t.make.group('Block Nanded', [restricted, light, paged])).id;
    const other = (await t.make.group('Block Latur', [otherAgent])).id;
    for (const s of [restricted, light, paged]) {
      const res = await t.as(admin).patch(`/api/v1/users/${s.user.id}`, { ticketAccess: 'groups' });
      assert.equal(res.status, 200, res.raw);
    }
    const policy = await t.as(admin).post('/api/v1/oncall/policies', { name: 'Latur escalation', steps: [{ delayMinutes: 15, targets: [{ type: 'user', id: paged.user.id }] }] });
    assert.equal(policy.status, 201, policy.raw);
    const hidden = await t.make.ticket(otherAgent, { subject: 'Latur: tablets lost with patient data', requesterId: customer.user.id, groupId: other });
    const own = await t.make.ticket(otherAgent, { subject: 'Nanded printer', requesterId: customer.user.id, groupId: block });
    const page = (ticketId: string, title: string) =>
      t.database.db.transaction((tx) => t.services.oncall.pages.create(tx, { policyId: policy.body.id, title, body: '', source: 'rule', ticketId }));
    ids.hidden = (await page(hidden.id, `#${hidden.number} ${hidden.subject}`))?.id as string;
    ids.own = (await page(own.id, `#${own.number} ${own.subject}`))?.id as string;
    const manual = await t.as(admin).post('/api/v1/oncall/pages', { policyId: policy.body.id, title: 'Power cut at the office' });
    assert.equal(manual.status, 201, manual.raw);
    ids.manual = manual.body.id;
  });
  after(() => t.close());

  const listed = async (s: Session, query = '') => {
    const res = await t.as(s).get(`/api/v1/oncall/pages${query}`);
    assert.equal(res.status, 200, res.raw);
    return new Set((res.body.items as { id: string }[]).map((p) => p.id));
  };

  test('a restricted agent and a light agent neither list nor open the page of a ticket outside their groups', async () => {
    for (const s of [restricted, light]) {
      const seen = await listed(s);
      assert.ok(!seen.has(ids.hidden), 'the hidden ticket’s page is not listed');
      assert.ok(seen.has(ids.own) && seen.has(ids.manual), 'their own ticket’s page and the manual page are');
      assert.ok(!(await listed(s, '?status=triggered')).has(ids.hidden));
      const res = await t.as(s).get(`/api/v1/oncall/pages/${ids.hidden}`);
      assert.equal(res.status, 404, res.raw);
      assert.equal(res.body.code, 'PAGE_NOT_FOUND');
      assert.ok(!res.raw.includes('tablets'), 'nothing of the subject leaks');
      assert.equal((await t.as(s).get(`/api/v1/oncall/pages/${ids.own}`)).status, 200);
    }
  });

  test('nor acknowledge or resolve it: refused as not found, and the page is unchanged', async () => {
    for (const action of ['acknowledge', 'resolve']) {
      const res = await t.as(restricted).post(`/api/v1/oncall/pages/${ids.hidden}/${action}`, {});
      assert.equal(res.status, 404, res.raw);
      assert.equal(res.body.code, 'PAGE_NOT_FOUND');
    }
    const page = (await t.as(admin).get(`/api/v1/oncall/pages/${ids.hidden}`)).body;
    assert.equal(page.status, 'triggered');
    assert.equal(page.acknowledgedById, null);
  });

  test('the people a page notified, whoever may see the ticket, and admins see it', async () => {
    // Restricted to the other group, but paged about it: the page is theirs to answer.
    assert.ok((await listed(paged)).has(ids.hidden));
    assert.ok((await listed(paged, '?mine=true')).has(ids.hidden));
    assert.equal((await t.as(paged).get(`/api/v1/oncall/pages/${ids.hidden}`)).status, 200);
    assert.ok((await listed(otherAgent)).has(ids.hidden), 'an agent of the ticket’s group');
    const all = await listed(admin);
    for (const id of Object.values(ids)) assert.ok(all.has(id));
    const ack = await t.as(paged).post(`/api/v1/oncall/pages/${ids.hidden}/acknowledge`, {});
    assert.equal(ack.status, 200, ack.raw);
    assert.equal(ack.body.acknowledgedById, paged.user.id);
  });
});
