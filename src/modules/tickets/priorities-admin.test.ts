import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

type Level = { id: string; key: string; name: string; rank: number; color: string; definition: string; isDefault: boolean };

/** An admin shapes a priority scheme in the app: words, colours, order, a new level; bad input changes nothing. */
describe('priority schemes edited by an admin', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
  });
  after(() => t.close());

  const levels = async (scheme = 'commcare'): Promise<Level[]> => {
    const res = await t.as(admin).get('/api/v1/priority-schemes');
    assert.equal(res.status, 200, res.raw);
    return (res.body.items as { key: string; priorities: Level[] }[]).find((s) => s.key === scheme)?.priorities ?? [];
  };

  test('edit, add, set the default and reorder; tickets keep their level and sort by its new rank', async () => {
    const before = await levels();
    const p5 = before.find((p) => p.key === 'P5') as Level;
    const low = await t.make.ticket(admin, { subject: 'low one', priority: 'P5' });
    const severe = await t.make.ticket(admin, { subject: 'severe one', priority: 'P1' });

    const edited = await t.as(admin).patch(`/api/v1/priorities/${p5.id}`, { name: 'Someday', definition: 'Nice to have.', color: '#123abc', examples: ['A typo'] });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.name, 'Someday');
    assert.equal(edited.body.key, 'P5', 'the key stays');
    assert.equal((await t.as(agent).get('/api/v1/priorities')).body.items.find((p: Level) => p.key === 'P5').color, '#123abc', 'agents see the new colour at once');

    const added = await t.as(admin).post('/api/v1/priority-schemes/commcare/priorities', { key: 'P6', name: 'Backlog', definition: 'Parked for later.' });
    assert.equal(added.status, 201, added.raw);
    assert.equal(added.body.rank, 5);
    assert.equal(added.body.color, '#6b7280');
    const made = await t.make.ticket(admin, { subject: 'parked', priority: 'P6' });
    assert.equal(made.priority.key, 'P6', 'the new level is usable at once');

    const def = await t.as(admin).patch(`/api/v1/priorities/${added.body.id}`, { isDefault: true });
    assert.equal(def.status, 200, def.raw);
    assert.deepEqual((await levels()).filter((p) => p.isDefault).map((p) => p.key), ['P6'], 'one default per scheme');

    // Reverse the order: P6 becomes the most urgent; the tickets follow in the queue's sort.
    const ids = (await levels()).map((p) => p.id).reverse();
    const reordered = await t.as(admin).put('/api/v1/priority-schemes/commcare/order', { ids });
    assert.equal(reordered.status, 200, reordered.raw);
    assert.deepEqual((await levels()).map((p) => p.key), ['P6', 'P5', 'P4', 'P3', 'P2', 'P1']);
    const list = await t.as(admin).get('/api/v1/tickets?sort=priority&limit=50');
    assert.equal(list.status, 200, list.raw);
    const order = (list.body.items as { id: string }[]).map((x) => x.id).filter((id) => [low.id, severe.id, made.id].includes(id));
    assert.deepEqual(order, [made.id, low.id, severe.id]);
    assert.equal((await t.as(admin).get(`/api/v1/tickets/${severe.id}`)).body.priority.key, 'P1', 'the ticket keeps its level');
  });

  test('bad input is refused with a field error and changes nothing; agents may not edit', async () => {
    const snapshot = JSON.stringify(await levels());
    const [first] = await levels();
    const id = (first as Level).id;
    const cases: [string, Promise<{ status: number; body: { code: string; fields?: { path: string }[] } }>, number, string][] = [
      ['colour', t.as(admin).patch(`/api/v1/priorities/${id}`, { color: 'red; background:url(x)' }), 400, 'VALIDATION_FAILED'],
      ['empty name', t.as(admin).patch(`/api/v1/priorities/${id}`, { name: '   ' }), 400, 'VALIDATION_FAILED'],
      ['long definition', t.as(admin).patch(`/api/v1/priorities/${id}`, { definition: 'x'.repeat(2001) }), 400, 'VALIDATION_FAILED'],
      ['unknown level', t.as(admin).patch('/api/v1/priorities/00000000-0000-4000-8000-000000000000', { name: 'x' }), 404, 'NOT_FOUND'],
      ['taken key', t.as(admin).post('/api/v1/priority-schemes/commcare/priorities', { key: 'p1', name: 'Again', definition: 'dup' }), 409, 'ALREADY_EXISTS'],
      ['bad key', t.as(admin).post('/api/v1/priority-schemes/commcare/priorities', { key: '<b>', name: 'x', definition: 'y' }), 400, 'VALIDATION_FAILED'],
      ['unknown scheme', t.as(admin).post('/api/v1/priority-schemes/nope/priorities', { key: 'P9', name: 'x', definition: 'y' }), 404, 'NOT_FOUND'],
      ['order missing one', t.as(admin).put('/api/v1/priority-schemes/commcare/order', { ids: [id] }), 422, 'INVALID_FIELD_VALUE'],
      ['order twice', t.as(admin).put('/api/v1/priority-schemes/commcare/order', { ids: (await levels()).map(() => id) }), 422, 'INVALID_FIELD_VALUE'],
      ['order of another scheme', t.as(admin).put('/api/v1/priority-schemes/pmerit/order', { ids: (await levels()).map((p) => p.id) }), 422, 'INVALID_FIELD_VALUE'],
      ['agent edits', t.as(agent).patch(`/api/v1/priorities/${id}`, { name: 'Mine' }), 403, 'FORBIDDEN'],
    ];
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, code, what);
    }
    assert.equal(JSON.stringify(await levels()), snapshot, 'nothing changed');
  });
});
