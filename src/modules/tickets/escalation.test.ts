import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('escalation up the tiers', () => {
  let t: TestApp;
  let admin: Session;
  let l1Agent: Session;
  let l2Agent: Session;
  let customer: Session;
  let l1 = '';
  let l2 = '';
  let l3 = '';

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    l1Agent = await t.signIn('agent');
    l2Agent = await t.signIn('agent', { email: 'second.line@example.org' });
    customer = await t.signIn('customer');
    l3 = (await t.make.group('L3', [admin])).id;
    l2 = (await t.make.group('L2', [l2Agent], l3)).id;
    l1 = (await t.make.group('L1', [l1Agent], l2)).id;
  });
  after(() => t.close());

  const form = { impact: 'All field workers in one district cannot submit', tried: 'Cleared cache, reinstalled the app', needed: 'Server-side logs for the sync endpoint', urgency: 'high' };

  test('an agent escalates with the form: next tier, note, first-class event, the tier is notified', async () => {
    const ticket = await t.make.ticket(l1Agent, { subject: 'Sync broken in district 4', groupId: l1, assigneeId: l1Agent.user.id, requesterId: customer.user.id });
    const res = await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.groupId, l2);
    assert.equal(res.body.assigneeId, null, 'the L1 assignee is not in L2');
    const note = ((await t.as(l1Agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[]).find((m) => !m.public);
    assert.match(note.bodyText, /Escalated\*\* from L1 to L2 — urgency: high/);
    assert.match(note.bodyText, /Server-side logs/);
    const [event] = rowsOf<{ actor_id: string; to_value: any }>(await t.database.db.execute(sql`select actor_id, to_value from ticket_events where ticket_id = ${ticket.id} and kind = 'escalated'`));
    assert.equal(event?.actor_id, l1Agent.user.id);
    assert.equal(event?.to_value.group, 'L2');
    assert.equal(event?.to_value.urgency, 'high');
    // A customer never sees it.
    const seen = (await t.as(customer).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[];
    assert.ok(seen.every((m) => m.public));
    await t.runJobs();
    const notified = ((await t.as(admin).get('/api/v1/outbox?limit=200')).body.items as any[]).filter((m) => m.ticketId === ticket.id && /Escalated/.test(m.subject));
    assert.deepEqual(notified.map((m) => m.recipients), [['second.line@example.org']]);

    // Up again to L3, then the top: a clear refusal.
    assert.equal((await t.as(l2Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form)).body.groupId, l3);
    const top = await t.as(admin).post(`/api/v1/tickets/${ticket.id}/escalate`, form);
    assert.equal(top.status, 422);
    assert.equal(top.body.code, 'CANNOT_ESCALATE');
    assert.match(top.body.detail, /L3 is the top tier/);
  });

  test('bad escalations are refused and change nothing', async () => {
    const ticket = await t.make.ticket(l1Agent, { subject: 'No group', requesterId: customer.user.id });
    const before = await t.count('ticket_events');
    const noGroup = await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, form);
    assert.equal(noGroup.status, 422);
    assert.equal(noGroup.body.errors[0].path, 'body.toGroupId');
    const missing = await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, { impact: 'x', urgency: 'high' });
    assert.equal(missing.status, 400);
    const badUrgency = await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, { ...form, urgency: 'whenever' });
    assert.equal(badUrgency.status, 400);
    const unknown = await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, { ...form, toGroupId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(unknown.status, 422);
    assert.equal((await t.as(customer).post(`/api/v1/tickets/${ticket.id}/escalate`, form)).status, 403);
    assert.equal(await t.count('ticket_events'), before);
    // Naming the group works without a tier.
    assert.equal((await t.as(l1Agent).post(`/api/v1/tickets/${ticket.id}/escalate`, { ...form, toGroupId: l2 })).body.groupId, l2);
  });
});
