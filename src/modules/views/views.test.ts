import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

describe('views: the queues in the left rail', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let colleague: Session;
  let outsider: Session;
  let customer: Session;
  let l2: { id: string };

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent', { name: 'Priya' });
    colleague = await t.signIn('agent', { name: 'Tom' });
    outsider = await t.signIn('agent', { name: 'Olu' });
    customer = await t.signIn('customer');
    l2 = await t.make.group('L2', [agent, colleague]);
  });
  after(() => t.close());

  const numbers = async (who: Session, view: string) => ((await t.as(who).get(`/api/v1/views/${view}/tickets`)).body.items as { number: number }[]).map((x) => x.number).sort();

  test('built-in views show the triage queue, mine, my groups, pending, on hold, recently solved and all, each with a count', async () => {
    const fresh = await t.make.ticket(customer, { subject: 'New and unassigned' });
    const mine = await t.make.ticket(admin, { subject: 'Mine', requester: { email: 'a@example.org' }, assigneeId: agent.user.id, status: 'open' });
    const group = await t.make.ticket(admin, { subject: 'In L2', requester: { email: 'b@example.org' }, groupId: l2.id, assigneeId: colleague.user.id, status: 'open' });
    const pending = await t.make.ticket(admin, { subject: 'Waiting', requester: { email: 'c@example.org' }, assigneeId: agent.user.id, status: 'pending' });
    const solved = await t.make.ticket(admin, { subject: 'Done', requester: { email: 'd@example.org' }, assigneeId: agent.user.id, status: 'solved' });

    const views = (await t.as(agent).get('/api/v1/views')).body.items as { id: string; name: string; system: boolean }[];
    assert.deepEqual(
      views.map((v) => v.name),
      ['New / unassigned', 'Breaching soon', 'Mine', 'My groups', 'Pending', 'On hold', 'Recently solved', 'All'],
    );
    assert.deepEqual(await numbers(agent, 'triage'), [fresh.number]);
    assert.deepEqual(await numbers(agent, 'mine'), [mine.number], 'Mine is what is assigned to the viewer and open');
    assert.deepEqual(await numbers(colleague, 'mine'), [group.number]);
    assert.deepEqual(await numbers(agent, 'my-groups'), [group.number]);
    assert.deepEqual(await numbers(outsider, 'my-groups'), [], 'an agent in no group has nothing there');
    assert.deepEqual(await numbers(agent, 'pending'), [pending.number]);
    assert.deepEqual(await numbers(agent, 'solved'), [solved.number]);
    assert.equal((await numbers(agent, 'all')).length, 5);

    const counts = (await t.as(agent).get('/api/v1/views/counts')).body.counts;
    assert.deepEqual(counts, { triage: 1, breaching: 0, mine: 1, 'my-groups': 1, pending: 1, 'on-hold': 0, solved: 1, all: 5 });

    // "Unassigned" means it: a ticket someone took while it was still New is theirs, not the triage queue's.
    const taken = await t.make.ticket(admin, { subject: 'Taken while new', requester: { email: 'e@example.org' }, assigneeId: agent.user.id, status: 'new' });
    assert.deepEqual(await numbers(agent, 'triage'), [fresh.number]);
    assert.deepEqual(await numbers(agent, 'mine'), [mine.number, taken.number].sort());

    // A week later the solved ticket has left "Recently solved".
    t.clock.advance(8 * 86_400_000);
    assert.deepEqual(await numbers(agent, 'solved'), []);
  });

  test('"Breaching soon" lists open tickets with an SLA clock due within the hour, and drops them once answered', async () => {
    const alwaysOpen = await t.as(admin).post('/api/v1/calendars', { name: '24/7 for views', timeZone: 'UTC', alwaysOpen: true });
    assert.equal(alwaysOpen.status, 201, alwaysOpen.raw);
    const policy = await t.as(admin).post('/api/v1/sla-policies', {
      name: 'Views P1',
      position: 0,
      condition: { field: 'tags', op: 'includes_any', value: ['views-sla'] },
      calendarId: alwaysOpen.body.id,
      targets: { P1: { first_response: 30 }, P4: { first_response: 600 } },
    });
    assert.equal(policy.status, 201, policy.raw);
    const urgent = await t.make.ticket(admin, { subject: 'Due in 30 minutes', requester: { email: 'sla1@example.org' }, priority: 'P1', tags: ['views-sla'] });
    await t.make.ticket(admin, { subject: 'Due in 10 hours', requester: { email: 'sla2@example.org' }, priority: 'P4', tags: ['views-sla'] });
    assert.deepEqual(await numbers(agent, 'breaching'), [urgent.number]);
    assert.equal((await t.as(agent).get('/api/v1/views/counts')).body.counts.breaching, 1);
    const clocks = await t.as(agent).get(`/api/v1/sla/clocks?ticketIds=${urgent.id}`);
    assert.equal(clocks.status, 200, clocks.raw);
    assert.equal(clocks.body.items[0].remainingMinutes, 30);
    // The first public reply achieves the clock: nothing is about to breach any more.
    await t.as(agent).post(`/api/v1/tickets/${urgent.id}/messages`, { body: 'Looking now.' });
    assert.deepEqual(await numbers(agent, 'breaching'), []);
    assert.equal((await t.as(agent).get('/api/v1/sla/clocks?ticketIds=nope')).status, 400);
    assert.equal((await t.as(customer).get(`/api/v1/sla/clocks?ticketIds=${urgent.id}`)).status, 403);
  });

  test('an agent saves a view from a filter, shares it with a group, and each member sees their own "assigned to me"', async () => {
    const p1 = await t.make.ticket(admin, { subject: 'Urgent for Priya', requester: { email: 'e@example.org' }, assigneeId: agent.user.id, priority: 'P1', tags: ['sync'] });
    await t.make.ticket(admin, { subject: 'Urgent for Tom', requester: { email: 'f@example.org' }, assigneeId: colleague.user.id, priority: 'P1', tags: ['sync'] });
    await t.make.ticket(admin, { subject: 'Not urgent', requester: { email: 'g@example.org' }, assigneeId: agent.user.id, priority: 'P4', tags: ['sync'] });
    const saved = await t.as(agent).post('/api/v1/views', {
      name: 'My urgent sync',
      condition: { all: [{ field: 'priority', op: 'in', value: ['P1', 'P2'] }, { field: 'assignee', op: 'is', value: '$me' }, { field: 'tags', op: 'includes_any', value: ['sync'] }] },
      columns: ['number', 'subject', 'priority'],
      sort: 'priority',
      order: 'asc',
      groupId: l2.id,
    });
    assert.equal(saved.status, 201, saved.raw);
    assert.equal(saved.body.system, false);
    assert.deepEqual(await numbers(agent, saved.body.id), [p1.number]);
    const tomsView = (await t.as(colleague).get('/api/v1/views')).body.items.find((v: { id: string }) => v.id === saved.body.id);
    assert.ok(tomsView, 'shared with the group');
    assert.deepEqual((await t.as(colleague).get(`/api/v1/views/${saved.body.id}/tickets`)).body.items.map((x: { subject: string }) => x.subject), ['Urgent for Tom']);
    assert.equal((await t.as(outsider).get(`/api/v1/views/${saved.body.id}/tickets`)).status, 404, 'not shared with outsiders');
    assert.equal((await t.as(agent).get('/api/v1/views/counts')).body.counts[saved.body.id], 1);

    // Only the owner (or an admin) changes it.
    assert.equal((await t.as(colleague).patch(`/api/v1/views/${saved.body.id}`, { name: 'Taken over' })).status, 404);
    const renamed = await t.as(agent).patch(`/api/v1/views/${saved.body.id}`, { name: 'Urgent sync' });
    assert.equal(renamed.status, 200, renamed.raw);
    assert.deepEqual(renamed.body.columns, ['number', 'subject', 'priority'], 'a rename keeps the rest');
    assert.equal((await t.as(agent).delete(`/api/v1/views/${saved.body.id}`)).status, 204);
    assert.equal((await t.as(agent).get(`/api/v1/views/${saved.body.id}/tickets`)).status, 404);
  });

  test('counts stop one past the cap, so a huge queue costs a bounded walk; the API says where the cap is', async () => {
    const { sql } = await import('drizzle-orm');
    const actor = await t.services.people.resolveActor({ sessionToken: agent.headers.cookie?.split('=')[1] });
    assert.ok(actor);
    const all = (await t.as(agent).get('/api/v1/views/counts')).body;
    assert.equal(all.cap, 10_000);
    const [capped, exact] = await t.services.queries.countEach(actor, [sql`true`, sql`true`], 2).then((r) => [r[0], all.counts.all]);
    assert.ok(exact > 3);
    assert.equal(capped, 3, 'cap + 1 means "more than the cap"');
  });

  test('admin saved views: every view listed with its owner; an admin edits, reorders and deletes anyone\'s; an agent only their own', async () => {
    const a = (await t.as(agent).post('/api/v1/views', { name: 'Priya personal', condition: { all: [] } })).body;
    const b = (await t.as(colleague).post('/api/v1/views', { name: 'Tom shared', condition: { all: [] }, groupId: l2.id })).body;
    const c = (await t.as(admin).post('/api/v1/views', { name: 'Admin own', condition: { all: [] } })).body;
    const listed = (await t.as(admin).get('/api/v1/views/saved')).body.items as { id: string; ownerName: string }[];
    assert.deepEqual(
      [a.id, b.id, c.id].map((id) => listed.find((v) => v.id === id)?.ownerName),
      ['Priya', 'Tom', admin.user.name],
    );
    assert.deepEqual(((await t.as(agent).get('/api/v1/views/saved')).body.items as { ownerId: string }[]).map((v) => v.ownerId).filter((o) => o !== agent.user.id), [], 'an agent lists only their own');

    // The admin renames Priya's view and changes its condition; the owner stays Priya.
    const edited = await t.as(admin).patch(`/api/v1/views/${a.id}`, { name: 'Priya P1', condition: { field: 'priority', op: 'is', value: 'P1' } });
    assert.equal(edited.status, 200, edited.raw);
    assert.deepEqual([edited.body.name, edited.body.ownerId], ['Priya P1', agent.user.id]);

    const order = await t.as(admin).put('/api/v1/views/order', { ids: [c.id, b.id, a.id] });
    assert.equal(order.status, 204, order.raw);
    const rail = ((await t.as(colleague).get('/api/v1/views')).body.items as { id: string }[]).map((v) => v.id).filter((id) => id === b.id);
    assert.deepEqual(rail, [b.id]);
    const ranked = ((await t.as(admin).get('/api/v1/views/saved')).body.items as { id: string }[]).map((v) => v.id).filter((id) => [a.id, b.id, c.id].includes(id));
    assert.deepEqual(ranked, [c.id, b.id, a.id]);
    // An agent cannot reorder someone else's views: nothing moves.
    const foreign = await t.as(agent).put('/api/v1/views/order', { ids: [a.id, b.id] });
    assert.deepEqual([foreign.status, foreign.body.code, foreign.body.errors?.[0]?.path], [404, 'NOT_FOUND', 'body.ids.1']);
    assert.equal((await t.as(agent).put('/api/v1/views/order', { ids: [a.id, a.id] })).status, 400);
    const still = ((await t.as(admin).get('/api/v1/views/saved')).body.items as { id: string }[]).map((v) => v.id).filter((id) => [a.id, b.id, c.id].includes(id));
    assert.deepEqual(still, [c.id, b.id, a.id]);

    assert.equal((await t.as(admin).delete(`/api/v1/views/${b.id}`)).status, 204);
    assert.equal((await t.as(colleague).get(`/api/v1/views/${b.id}/tickets`)).status, 404);
    for (const id of [a.id, c.id]) await t.as(admin).delete(`/api/v1/views/${id}`);
  });

  test('bad views are refused with the field named, and nothing is saved', async () => {
    const before = await t.count('views');
    const unknownField = await t.as(agent).post('/api/v1/views', { name: 'X', condition: { field: 'mood', op: 'is', value: 'sad' } });
    assert.equal(unknownField.status, 422);
    assert.equal(unknownField.body.code, 'INVALID_RULE');
    assert.equal(unknownField.body.errors[0].path, 'body.condition.field');
    const wrongOp = await t.as(agent).post('/api/v1/views', { name: 'X', condition: { field: 'tags', op: 'gt', value: 3 } });
    assert.equal(wrongOp.status, 422);
    assert.match(wrongOp.body.errors[0].message, /tags takes/);
    const noName = await t.as(agent).post('/api/v1/views', { name: ' ', condition: { all: [] } });
    assert.equal(noName.status, 400);
    assert.equal(noName.body.errors[0].path, 'body.name');
    const badColumn = await t.as(agent).post('/api/v1/views', { name: 'X', condition: { all: [] }, columns: ['mood'] });
    assert.equal(badColumn.status, 400);
    const notMyGroup = await t.as(outsider).post('/api/v1/views', { name: 'X', condition: { all: [] }, groupId: l2.id });
    assert.equal(notMyGroup.status, 403);
    assert.equal(notMyGroup.body.errors[0].path, 'body.groupId');
    await t.as(agent).post('/api/v1/views', { name: 'Twice', condition: { all: [] } });
    const twice = await t.as(agent).post('/api/v1/views', { name: 'twice', condition: { all: [] } });
    assert.equal(twice.status, 409);
    assert.equal(await t.count('views'), before + 1);
    assert.equal((await t.as(agent).get('/api/v1/views/nope/tickets')).status, 404);
    assert.equal((await t.as(customer).get('/api/v1/views')).status, 403, 'customers have no agent views');
  });
});
