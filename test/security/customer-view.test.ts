import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * What a customer sees of their own ticket: requester-facing fields only, as Zendesk shows a requester — subject,
 * status in their words, the requester, links they may follow. Who works on it (assignee, group), how the desk
 * sorts it (priority, type, tags, product area, due date, custom fields), its organisation and followers stay the
 * desk's. Before, the detail, the list and a reply's answer carried them all.
 */

const STAFF_ONLY = ['statusCategory', 'priority', 'type', 'organizationId', 'assigneeId', 'groupId', 'tags', 'productArea', 'dueAt', 'customFields', 'followerIds'];

describe("a customer's view of their ticket", () => {
  let t: TestApp;
  let agent: Session;
  let customer: Session;
  let ticketId = '';

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
    customer = await t.signIn('customer');
    const tier2 = await t.make.group('Tier 2 internal', [agent]);
    ticketId = (await t.make.ticket(customer, { subject: 'Printer on fire' })).id as string;
    const up = await t.as(agent).patch(`/api/v1/tickets/${ticketId}`, {
      groupId: tier2.id,
      assigneeId: agent.user.id,
      tags: ['vip-watch', 'churn-risk'],
      productArea: 'Hardware (internal triage)',
      status: 'pending',
    });
    assert.equal(up.status, 200, up.raw);
  });
  after(() => t.close());

  const assertCustomerShape = (ticket: Record<string, unknown>, where: string) => {
    for (const field of STAFF_ONLY) assert.equal(ticket[field], undefined, `${where}: ${field} is the desk's`);
    assert.equal(ticket.subject, 'Printer on fire', where);
    assert.equal(ticket.status, 'awaiting_your_reply', `${where}: pending is "awaiting your reply" to the requester`);
  };

  test('the detail has requester-facing fields only, with the status in their words', async () => {
    const res = await t.as(customer).get(`/api/v1/tickets/${ticketId}`);
    assert.equal(res.status, 200, res.raw);
    assertCustomerShape(res.body, 'detail');
    assert.equal(res.body.requester.id, customer.user.id);
    assert.doesNotMatch(res.raw, /churn-risk|internal triage|Tier 2/);
    assert.equal(res.headers.etag, `"${res.body.version}"`, 'the version is still there to reply with');
    // Staff see everything.
    const staff = await t.as(agent).get(`/api/v1/tickets/${ticketId}`);
    assert.equal(staff.body.assigneeId, agent.user.id);
    assert.deepEqual(staff.body.tags, ['churn-risk', 'vip-watch']);
    assert.equal(staff.body.status, 'pending');
  });

  test('the list and search answer in the same shape', async () => {
    for (const path of ['/api/v1/tickets', '/api/v1/search?q=printer']) {
      const res = await t.as(customer).get(path);
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.items.length, 1, path);
      assertCustomerShape(res.body.items[0], path);
      assert.doesNotMatch(res.raw, /churn-risk|internal triage/);
    }
  });

  test("creating a ticket answers in the customer's shape (what triggers set at creation stays the desk's)", async () => {
    const res = await t.as(customer).post('/api/v1/tickets', { subject: 'Scanner jammed', description: 'Paper stuck' });
    assert.equal(res.status, 201, res.raw);
    for (const field of STAFF_ONLY) assert.equal(res.body[field], undefined, `create: ${field} is the desk's`);
    assert.equal(res.body.status, 'open');
    assert.equal(res.body.requester.id, customer.user.id);
    assert.equal(res.headers.etag, `"${res.body.version}"`);
  });

  test("a reply's answer carries the ticket in the customer's shape", async () => {
    const res = await t.as(customer).post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Still smoking.' });
    assert.equal(res.status, 201, res.raw);
    for (const field of STAFF_ONLY) assert.equal(res.body.ticket[field], undefined, `reply: ${field} is the desk's`);
    // Their reply reopened it: "open" in their words too.
    assert.equal(res.body.ticket.status, 'open');
    assert.doesNotMatch(res.raw, /churn-risk|internal triage/);
  });
});
