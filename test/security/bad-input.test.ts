import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Condition, checkCondition, compile, evaluate } from '../../src/modules/rules/conditions.js';
import { type Session, startTestApp, type TestApp } from '../../src/testing/harness.js';

/**
 * Issue 10, item 12: bad input is a 400/422 that names the problem, never a 500. Conditions on inherited
 * property names, conditions nested thousands deep, forged list cursors, and (fuzzed) anything the condition
 * checker or the cursor decoding is given.
 */
describe('security: bad input is refused, never a 500', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;

  before(async () => {
    t = await startTestApp();
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    await t.make.ticket(agent, { subject: 'One', requester: { email: 'one@example.org' } });
    await t.make.ticket(agent, { subject: 'Two', requester: { email: 'two@example.org' } });
  });
  after(() => t.close());

  // As JSON text: JSON.stringify itself overflows on a tree this deep.
  const deep = (levels: number, wrap: 'all' | 'not' = 'not'): string => {
    const [open, close] = wrap === 'not' ? ['{"not":', '}'] : ['{"all":[', ']}'];
    return `${open.repeat(levels)}{"field":"status","op":"is","value":"open"}${close.repeat(levels)}`;
  };
  const json = { 'content-type': 'application/json' };

  test('a condition on an inherited property name (constructor, toString, __proto__, custom.constructor) is a 422 naming the field', async () => {
    for (const field of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'custom.constructor', 'custom.toString', 'custom.__proto__']) {
      const before = await t.count('views');
      const res = await t.as(agent).post('/api/v1/views', { name: `On ${field}`, condition: { field, op: 'is', value: 'x' } });
      assert.equal(res.status, 422, `${field}: ${res.raw}`);
      assert.equal(res.body.code, 'INVALID_RULE');
      assert.equal(res.body.errors[0].path, 'body.condition.field');
      assert.match(res.body.errors[0].message, /unknown field/);
      assert.equal(await t.count('views'), before, 'nothing saved');
    }
    const trigger = await t.as(admin).post('/api/v1/triggers', { name: 'Proto', events: ['created'], condition: { any: [{ field: 'toString', op: 'is_set' }] }, actions: [{ type: 'add_tags', tags: ['x'] }] });
    assert.equal(trigger.status, 422, trigger.raw);
    assert.equal(trigger.body.errors[0].path, 'body.condition.any.0.field');
  });

  test('a condition nested 3,000 deep is a 400 naming the depth limit, on every route that takes a condition; 20 deep still works', async () => {
    for (const wrap of ['not', 'all'] as const) {
      const condition = deep(3000, wrap);
      const actions = '[{"type":"add_tags","tags":["x"]}]';
      const bodies: [string, string][] = [
        ['/api/v1/views', `{"name":"Deep","condition":${condition}}`],
        ['/api/v1/triggers', `{"name":"Deep","events":["created"],"condition":${condition},"actions":${actions}}`],
        ['/api/v1/automations', `{"name":"Deep","condition":${condition},"actions":${actions}}`],
        ['/api/v1/sla-policies', `{"name":"Deep","condition":${condition},"calendarId":"00000000-0000-4000-8000-000000000000","targets":{}}`],
      ];
      for (const [url, body] of bodies) {
        const res = await t.as(admin).post(url, body, json);
        assert.equal(res.status, 400, `${url} ${wrap}: ${res.raw.slice(0, 300)}`);
        assert.equal(res.body.code, 'VALIDATION_FAILED');
        assert.ok(
          res.body.errors.some((e: { path: string; message: string }) => e.path.startsWith('body.condition') && /nest at most 20/.test(e.message)),
          JSON.stringify(res.body.errors).slice(0, 500),
        );
      }
    }
    const ok = await t.as(agent).post('/api/v1/views', `{"name":"Twenty deep","condition":${deep(20)}}`, json);
    assert.equal(ok.status, 201, ok.raw);
    const tooDeep = await t.as(agent).post('/api/v1/views', `{"name":"Twenty-one deep","condition":${deep(21, 'all')}}`, json);
    assert.equal(tooDeep.status, 400, tooDeep.raw);
  });

  test('a forged list cursor is a 400 naming the cursor parameter, on every paginated list', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const id = '00000000-0000-4000-8000-000000000000';
    const forged = [
      'garbage',
      '!!!!',
      '%00',
      b64('not json'),
      b64('{"a":1}'),
      b64('null'),
      b64('[]'),
      b64(`[1,"${id}"]`),
      b64(`["not a time","${id}"]`),
      b64(`[{"x":1},"${id}"]`),
      b64(`[["2026-03-02T09:00:00Z"],"${id}"]`),
      b64(`["2026-03-02T09:00:00Z","not-a-uuid"]`),
      b64(`["2026-03-02T09:00:00Z",{"id":"${id}"}]`),
      b64(`["x","2026-03-02T09:00:00Z","${id}"]`),
      b64(`[1e999,"2026-03-02T09:00:00Z","${id}"]`),
      b64(`["2026-03-02T09:00:00Z","${id}","extra","more"]`),
      b64(`"${'a'.repeat(300)}"`),
      // The mail lists' cursors are "<time>|<id>".
      b64('2026-03-02T09:00:00.000Z|not-a-uuid'),
      b64(`-271821-04-20T00:00:00.000Z|${id}`),
      b64(`0|${id}`),
    ];
    const lists = [
      '/api/v1/tickets?sort=created',
      '/api/v1/tickets?sort=updated&order=asc',
      '/api/v1/tickets?sort=priority',
      '/api/v1/views/all/tickets?',
      '/api/v1/views/all/tickets?sort=priority',
      '/api/v1/inbound/emails?',
      '/api/v1/outbox?',
    ];
    for (const list of lists) {
      for (const cursor of forged) {
        const res = await t.as(admin).get(`${list}&cursor=${encodeURIComponent(cursor)}`);
        assert.equal(res.status, 400, `${list} ${cursor}: ${res.raw.slice(0, 300)}`);
        assert.equal(res.body.code, 'VALIDATION_FAILED');
        assert.equal(res.body.errors[0].path, 'querystring.cursor', `${list} ${cursor}`);
      }
    }
  });

  test('a cursor from one sort is refused by another, and real cursors still page', async () => {
    const first = await t.as(admin).get('/api/v1/tickets?sort=created&limit=1');
    assert.equal(first.status, 200);
    assert.ok(first.body.nextCursor);
    const next = await t.as(admin).get(`/api/v1/tickets?sort=created&limit=1&cursor=${first.body.nextCursor}`);
    assert.equal(next.status, 200, next.raw);
    assert.equal(next.body.items.length, 1);
    assert.notEqual(next.body.items[0].id, first.body.items[0].id);
    const other = await t.as(admin).get(`/api/v1/tickets?sort=priority&limit=1&cursor=${first.body.nextCursor}`);
    assert.equal(other.status, 400, other.raw);
    const byPriority = await t.as(admin).get('/api/v1/tickets?sort=priority&limit=1');
    const second = await t.as(admin).get(`/api/v1/tickets?sort=priority&limit=1&cursor=${byPriority.body.nextCursor}`);
    assert.equal(second.status, 200, second.raw);
  });

  test('fuzz: any JSON as a cursor is a 200 or a 400, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.string(), fc.double(), fc.uuid(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())))), fc.constantFrom('created', 'updated', 'priority'), async (value, sort) => {
        const cursor = Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
        if (cursor.length > 500) return;
        const res = await t.as(admin).get(`/api/v1/tickets?sort=${sort}&cursor=${cursor}`);
        assert.ok(res.status === 200 || res.status === 400, `${JSON.stringify(value)}: ${res.status} ${res.raw.slice(0, 200)}`);
      }),
      { numRuns: 150 },
    );
  });

  test('fuzz: the condition checker never throws, and whatever it accepts both back ends take', async () => {
    const field = fc.oneof(
      fc.constantFrom('status', 'priority', 'tags', 'subject', 'created_at', 'hours_since_created', 'custom.size', 'custom.vip', 'custom.plan', 'constructor', 'toString', '__proto__', 'custom.constructor', 'custom.'),
      fc.string({ maxLength: 12 }),
    );
    const op = fc.oneof(fc.constantFrom('is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set', 'contains', 'includes_any', 'before', 'gt', 'lte', 'constructor', 'toString'), fc.string({ maxLength: 8 }));
    const leaf = fc.record({ field, op, value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }, { requiredKeys: ['field', 'op'] });
    const tree = fc.letrec<{ c: unknown }>((tie) => ({
      c: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ all: fc.array(tie('c'), { maxLength: 3 }) }), fc.record({ any: fc.array(tie('c'), { maxLength: 3 }) }), fc.record({ not: tie('c') })),
    })).c;
    const kinds = { size: 'number', vip: 'boolean', plan: 'key' } as const;
    const facts = {
      status: 'open',
      status_category: 'open',
      priority: 'P3',
      type: null,
      group: null,
      assignee: null,
      organization: null,
      requester: '00000000-0000-4000-8000-000000000000',
      channel: 'email',
      tags: ['a'],
      subject: 'Hello',
      product_area: null,
      created_at: new Date(),
      updated_at: new Date(),
      solved_at: null,
      due_at: null,
      status_changed_at: new Date(),
      requester_replied_at: new Date(),
      custom: { size: 3 },
    };
    // Found by this fuzz once: an "hours since" far outside any date is refused, not a RangeError in either back end.
    const huge = { not: { field: 'hours_since_created', op: 'lte', value: -2399501055.2380567 } } as unknown as Condition;
    assert.match(JSON.stringify(checkCondition(huge, kinds)), /hours between/);
    fc.assert(
      fc.property(tree, (c) => {
        const problems = checkCondition(c as Condition, kinds);
        if (problems.length === 0) {
          evaluate(c as Condition, facts, new Date(), kinds);
          compile(c as Condition, new Date(), kinds);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
