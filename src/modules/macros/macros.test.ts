import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('macros', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let other: Session;
  let customer: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Priya Raman' });
    other = await t.signIn('agent');
    customer = await t.signIn('customer', { name: 'Jonas Berg' });
  });
  after(() => t.close());

  const byName = async (who: Session, name: string) => ((await t.as(who).get('/api/v1/macros')).body.items as any[]).find((m) => m.name === name);

  test("the handbook's templates are shared; one fills the composer for a ticket and its changes go with the reply", async () => {
    const names = ((await t.as(agent).get('/api/v1/macros')).body.items as any[]).map((m) => m.name);
    assert.deepEqual(names, ['Acknowledgement', 'Cannot reproduce', 'Need more information', 'Resolution notice']);
    const ticket = await t.make.ticket(customer, { subject: 'Charts are blank' });
    const macro = await byName(agent, 'Need more information');
    const rendered = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${macro.id}/render`);
    assert.equal(rendered.status, 200, rendered.raw);
    assert.match(rendered.body.body, /^Hi Jonas,/);
    assert.match(rendered.body.body, /Priya Raman$/);
    assert.deepEqual(rendered.body.changes, { status: 'pending' });
    // The composer sends the text with the state change as one message.
    const sent = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/messages`, { body: rendered.body.body, public: rendered.body.public, status: rendered.body.changes.status });
    assert.equal(sent.status, 201, sent.raw);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body.status, 'pending');
  });

  test("an agent's own macros are theirs; shared ones are the admins'", async () => {
    const mine = await t.as(agent).post('/api/v1/macros', { name: 'Sync checklist', body: 'Please open Settings → Sync, {{ ticket.requester.first_name }}.', changes: { addTags: ['sync'] } });
    assert.equal(mine.status, 201, mine.raw);
    assert.equal(mine.body.ownerId, agent.user.id);
    assert.equal(await byName(other, 'Sync checklist'), undefined, 'not visible to others');
    assert.equal((await t.as(other).patch(`/api/v1/macros/${mine.body.id}`, { name: 'Stolen' })).status, 404);
    const shared = await byName(agent, 'Acknowledgement');
    assert.equal((await t.as(agent).patch(`/api/v1/macros/${shared.id}`, { body: 'changed' })).status, 403);
    assert.equal((await t.as(agent).post('/api/v1/macros', { name: 'For all', body: 'x', shared: true })).status, 403);
    const byAdmin = await t.as(admin).post('/api/v1/macros', { name: 'Outage notice', body: 'We are aware of an outage.', shared: true });
    assert.equal(byAdmin.status, 201);
    assert.ok(await byName(other, 'Outage notice'));
    assert.equal((await t.as(customer).get('/api/v1/macros')).status, 403);
  });

  test('bad macros are refused with the field named', async () => {
    const template = await t.as(agent).post('/api/v1/macros', { name: 'Broken', body: 'Hi {{ ticket.requester.first_name | shout }}' });
    assert.equal(template.status, 422);
    assert.equal(template.body.errors[0].path, 'body.body');
    const state = await t.as(agent).post('/api/v1/macros', { name: 'Bad state', body: 'x', changes: { status: 'limbo' } });
    assert.equal(state.status, 422);
    assert.equal(state.body.errors[0].path, 'body.changes.status');
    const unknownChange = await t.as(agent).post('/api/v1/macros', { name: 'Bad change', body: 'x', changes: { colour: 'red' } });
    assert.equal(unknownChange.status, 400);
    const dup = await t.as(agent).post('/api/v1/macros', { name: 'sync CHECKLIST', body: 'x' });
    assert.equal(dup.status, 409);
  });

  test('sending a macro applies the changes kept and its text in one go; a change it does not make, or a stale version, changes nothing', async () => {
    const ticket = await t.make.ticket(customer, { subject: 'Export crashes' });
    const macro = await byName(agent, 'Cannot reproduce');
    const rendered = (await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${macro.id}/render`)).body;
    assert.deepEqual(rendered.changes, { status: 'pending', addTags: ['cannot-reproduce'] });
    const apply = (body: Record<string, unknown>) => t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${macro.id}/apply`, body);
    const eventsBefore = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/events`)).body.items.length;
    // A change the macro does not make is refused, naming it; so is a tag it does not add.
    const foreign = await apply({ body: rendered.body, public: true, changes: { status: 'solved' } });
    assert.equal(foreign.status, 422, foreign.raw);
    assert.equal(foreign.body.errors[0].path, 'body.changes.status');
    const foreignTag = await apply({ body: rendered.body, public: true, changes: { addTags: ['vip'] } });
    assert.equal(foreignTag.body.errors[0].path, 'body.changes.addTags');
    const stale = await apply({ body: rendered.body, public: true, changes: rendered.changes, version: 0 });
    assert.equal(stale.status, 409, stale.raw);
    const empty = await apply({ body: '  ', public: true, changes: {} });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.errors[0].path, 'body.body');
    const unchanged = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}`)).body;
    assert.equal(unchanged.status, 'new');
    assert.deepEqual(unchanged.tags, []);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${ticket.id}/events`)).body.items.length, eventsBefore);
    // The agent sends it as shown: state and tag change, and the text goes out.
    const sent = await apply({ body: rendered.body, public: true, changes: rendered.changes, version: unchanged.version });
    assert.equal(sent.status, 201, sent.raw);
    assert.equal(sent.body.ticket.status, 'pending');
    assert.deepEqual(sent.body.ticket.tags, ['cannot-reproduce']);
    const messages = (await t.as(agent).get(`/api/v1/tickets/${ticket.id}/messages`)).body.items as any[];
    assert.ok(messages.some((m) => m.id === sent.body.messageId && m.public));
    // Dropping a change before sending (reversible): the text only.
    const second = await t.make.ticket(customer, { subject: 'Second' });
    const onlyText = await t.as(agent).post(`/api/v1/tickets/${second.id}/macros/${macro.id}/apply`, { body: 'Just text', public: false, changes: { addTags: ['cannot-reproduce'] } });
    assert.equal(onlyText.status, 201, onlyText.raw);
    assert.equal(onlyText.body.ticket.status, 'new', 'the state change was dropped');
    assert.deepEqual(onlyText.body.ticket.tags, ['cannot-reproduce']);
  });

  test('admins give macros group, assignee and custom-field changes, duplicate, reorder, deactivate, preview and delete them', async () => {
    const l2 = await t.make.group('L2', [agent]);
    const field = await t.as(admin).post('/api/v1/custom-fields', { entity: 'ticket', key: 'root_cause', label: 'Root cause', kind: 'dropdown', options: ['bug', 'config'] });
    assert.equal(field.status, 201, field.raw);
    const created = await t.as(admin).post('/api/v1/macros', {
      name: 'Hand to L2',
      body: '',
      public: false,
      shared: true,
      changes: { groupId: l2.id, assigneeId: 'current_user', priority: 'P2', customFields: { root_cause: 'bug' }, removeTags: ['triage'] },
    });
    assert.equal(created.status, 201, created.raw);
    // Bad changes name the field and the valid choices.
    const bad = await t.as(admin).post('/api/v1/macros', {
      name: 'Bad',
      body: 'x',
      changes: { groupId: '00000000-0000-4000-8000-000000000000', assigneeId: customer.user.id, priority: 'P9', customFields: { root_cause: 'weather' }, addTags: ['a'], removeTags: ['a'] },
    });
    assert.equal(bad.status, 422, bad.raw);
    const paths = (bad.body.errors as any[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['body.changes.assigneeId', 'body.changes.customFields.root_cause', 'body.changes.groupId', 'body.changes.priority', 'body.changes.removeTags']);
    assert.match((bad.body.errors as any[]).find((e) => e.path === 'body.changes.priority').message, /one of P1, P2/);
    const badName = await t.as(admin).post('/api/v1/macros', { name: '  ', body: 'x' });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.errors[0].path, 'body.name');

    // Preview on a real ticket by its number, before saving.
    const ticket = await t.make.ticket(customer, { subject: 'Sync stuck', tags: ['triage'] });
    const preview = await t.as(admin).post('/api/v1/macros/preview', { ticket: `#${ticket.number}`, body: 'Hi {{ ticket.requester.first_name }}, #{{ ticket.number }}', changes: { priority: 'P2' } });
    assert.equal(preview.status, 200, preview.raw);
    assert.equal(preview.body.body, `Hi Jonas, #${ticket.number}`);
    assert.equal(preview.body.ticket.status, 'new');
    assert.deepEqual(preview.body.ticket.tags, ['triage']);
    assert.equal((await t.as(admin).post('/api/v1/macros/preview', { ticket: '999999', body: 'x' })).status, 404);

    // Changes only (no text): applied as a ticket update, assignee = whoever applies it.
    const applied = await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${created.body.id}/apply`, { body: '', public: false, changes: created.body.changes });
    assert.equal(applied.status, 201, applied.raw);
    assert.equal(applied.body.messageId, null);
    assert.equal(applied.body.ticket.groupId, l2.id);
    assert.equal(applied.body.ticket.assigneeId, agent.user.id);
    assert.equal(applied.body.ticket.priority.key, 'P2');
    assert.deepEqual(applied.body.ticket.tags, []);
    assert.equal(applied.body.ticket.customFields.root_cause, 'bug');

    // Duplicate, reorder, deactivate, delete.
    const copy = await t.as(admin).post(`/api/v1/macros/${created.body.id}/duplicate`);
    assert.equal(copy.status, 201, copy.raw);
    assert.equal(copy.body.name, 'Hand to L2 (copy)');
    assert.equal(copy.body.ownerId, null);
    assert.equal((await t.as(admin).post(`/api/v1/macros/${created.body.id}/duplicate`)).body.name, 'Hand to L2 (copy 2)');
    const agentCopy = await t.as(agent).post(`/api/v1/macros/${created.body.id}/duplicate`);
    assert.equal(agentCopy.body.ownerId, agent.user.id, "an agent's copy of a shared macro is their own");
    const rest = ((await t.as(admin).get('/api/v1/macros')).body.items as any[]).map((m) => m.id).filter((id) => id !== copy.body.id && id !== created.body.id);
    const ordered = await t.as(admin).put('/api/v1/macros/order', { ids: [copy.body.id, created.body.id, ...rest] });
    assert.equal(ordered.status, 200, ordered.raw);
    const names = ((await t.as(admin).get('/api/v1/macros')).body.items as any[]).map((m) => m.name);
    assert.deepEqual(names.slice(0, 2), ['Hand to L2 (copy)', 'Hand to L2']);
    assert.equal((await t.as(agent).put('/api/v1/macros/order', { ids: [copy.body.id] })).status, 403);
    assert.equal((await t.as(admin).put('/api/v1/macros/order', { ids: [copy.body.id, copy.body.id] })).status, 400);
    const off = await t.as(admin).patch(`/api/v1/macros/${copy.body.id}`, { active: false });
    assert.equal(off.status, 200, off.raw);
    assert.ok(!((await t.as(agent).get('/api/v1/macros')).body.items as any[]).some((m) => m.id === copy.body.id), 'a deactivated macro is not offered');
    assert.ok(((await t.as(admin).get('/api/v1/macros?include=inactive')).body.items as any[]).some((m) => m.id === copy.body.id));
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${ticket.id}/macros/${copy.body.id}/render`)).status, 422);
    assert.equal((await t.as(admin).delete(`/api/v1/macros/${copy.body.id}`)).status, 204);
    assert.equal((await t.as(admin).get(`/api/v1/macros/${copy.body.id}`)).status, 404);
  });

  // The rule builder's live count (src/modules/views: POST /api/v1/conditions/matches), here to share this app.
  test('the rule builder counts the open tickets a condition matches now, as the caller sees them, and names what is wrong', async () => {
    const billing = await t.make.group('Billing');
    const restricted = await t.signIn('agent', { name: 'Rina Restricted' });
    assert.equal((await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' })).status, 200);
    await t.as(admin).patch(`/api/v1/groups/${billing.id}`, { memberIds: [restricted.user.id] });
    const a = await t.make.ticket(customer, { subject: 'Refund 1', tags: ['refund'] });
    await t.make.ticket(customer, { subject: 'Refund 2', tags: ['refund'] });
    const solved = await t.make.ticket(customer, { subject: 'Refund 3', tags: ['refund'] });
    assert.equal((await t.as(admin).patch(`/api/v1/tickets/${solved.id}`, { status: 'solved' })).status, 200);
    assert.equal((await t.as(admin).patch(`/api/v1/tickets/${a.id}`, { groupId: billing.id, assigneeId: restricted.user.id })).status, 200);
    const count = async (who: Session, condition: unknown) => t.as(who).post('/api/v1/conditions/matches', { condition });
    const refunds = { all: [{ field: 'tags', op: 'includes_any', value: ['refund'] }] };
    const byAdmin = await count(admin, refunds);
    assert.equal(byAdmin.status, 200, byAdmin.raw);
    assert.deepEqual({ count: byAdmin.body.count, capped: byAdmin.body.capped, timedOut: byAdmin.body.timedOut }, { count: 2, capped: false, timedOut: false }, 'solved tickets are not counted');
    assert.equal((await count(restricted, refunds)).body.count, 1, 'only the tickets the caller may see');
    assert.equal((await count(restricted, { all: [{ field: 'assignee', op: 'is', value: '$me' }] })).body.count, 1);
    assert.equal((await count(admin, { any: [] })).body.count, 0);
    const wrong = await count(admin, { all: [{ field: 'colour', op: 'is', value: 'red' }, { field: 'priority', op: 'contains', value: 'P' }] });
    assert.equal(wrong.status, 422, wrong.raw);
    assert.deepEqual((wrong.body.errors as any[]).map((e) => e.path), ['body.condition.all.0.field', 'body.condition.all.1.op']);
    assert.match(wrong.body.errors[1].message, /takes is, is_not, in, not_in/);
    assert.equal((await count(admin, { all: 'x' })).status, 400);
    assert.equal((await t.as(customer).post('/api/v1/conditions/matches', { condition: refunds })).status, 403);
  });
});
