import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, inArray } from 'drizzle-orm';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';
import { priorities, tickets } from '../tickets/tickets.schema.js';
import { type Condition, type CustomFieldKinds, checkCondition, compile, evaluate, toFacts } from './conditions.js';

/**
 * One set of fixtures through both back ends: every condition must select exactly the expected tickets in SQL
 * (on the real database) and in memory. If the two ever disagree, a view and a trigger would see different
 * tickets.
 */
describe('the condition language: SQL and in-memory agree', () => {
  let t: TestApp;
  let agent: Session;
  const ids: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  let l1 = '';
  let l2 = '';
  let org = '';
  const custom: CustomFieldKinds = { district: 'key', devices: 'number', urgent: 'boolean' };
  const t0 = new Date('2026-03-02T09:00:00Z');
  const now = new Date(t0.getTime() + 4 * 3600_000);

  before(async () => {
    t = await startTestApp();
    agent = await t.signIn('agent');
    const customer = await t.signIn('customer');
    l1 = (await t.make.group('L1', [agent])).id;
    l2 = (await t.make.group('L2', [agent])).id;
    org = (await t.make.organization()).id;
    for (const [key, kind, options] of [
      ['district', 'dropdown', ['North', 'South']],
      ['devices', 'number', []],
      ['urgent', 'checkbox', []],
    ] as const) {
      await t.services.fields.define({ entity: 'ticket', key, label: key, kind, options: [...options], requiredOnSolve: false, position: 0 });
    }
    const make = async (overrides: Record<string, unknown>) => (await t.make.ticket(agent, { requesterId: customer.user.id, ...overrides })).id as string;
    t.clock.set(t0);
    ids.A = await make({ subject: 'Cannot sync forms', priority: 'P1', groupId: l1, assigneeId: agent.user.id, tags: ['sync', 'android'], channel: 'email', type: 'bug', customFields: { district: 'North', devices: 5, urgent: true } });
    t.clock.set(new Date(t0.getTime() + 3600_000));
    ids.B = await make({ subject: 'Password reset', priority: 'P4', groupId: l2, tags: ['login'], channel: 'web', type: 'question', customFields: { district: 'South' } });
    t.clock.set(new Date(t0.getTime() + 2 * 3600_000));
    ids.C = await make({ subject: 'Export slow', priority: 'P3', tags: [], channel: 'api', organizationId: org, status: 'pending' });
    t.clock.set(new Date(t0.getTime() + 3 * 3600_000));
    ids.D = await make({ subject: 'SYNC issue again', priority: 'P2', groupId: l1, tags: ['sync'], channel: 'phone', customFields: { devices: 12 }, status: 'solved' });
    t.clock.set(now);
  });
  after(() => t.close());

  const fixtures = (): [string, Condition, string][] => [
    ['priority in', { field: 'priority', op: 'in', value: ['P1', 'P2'] }, 'AD'],
    ['group is not (empty counts)', { field: 'group', op: 'is_not', value: l1 }, 'BC'],
    ['group is not set', { field: 'group', op: 'is_not_set' }, 'C'],
    ['assignee is set', { field: 'assignee', op: 'is_set' }, 'A'],
    ['organization is', { field: 'organization', op: 'is', value: org }, 'C'],
    ['tags include any', { field: 'tags', op: 'includes_any', value: ['sync', 'login'] }, 'ABD'],
    ['tags include all', { field: 'tags', op: 'includes_all', value: ['sync', 'android'] }, 'A'],
    ['tags exclude', { field: 'tags', op: 'excludes', value: ['sync'] }, 'BC'],
    ['subject contains, any case', { field: 'subject', op: 'contains', value: 'sync' }, 'AD'],
    ['subject does not contain', { field: 'subject', op: 'not_contains', value: 'SYNC' }, 'BC'],
    ['type not in (empty counts)', { field: 'type', op: 'not_in', value: ['bug'] }, 'BCD'],
    ['type is not set', { field: 'type', op: 'is_not_set' }, 'CD'],
    ['custom dropdown is', { field: 'custom.district', op: 'is', value: 'North' }, 'A'],
    ['custom dropdown is not (missing counts)', { field: 'custom.district', op: 'is_not', value: 'North' }, 'BCD'],
    ['custom number >', { field: 'custom.devices', op: 'gt', value: 4 }, 'AD'],
    ['custom number <=', { field: 'custom.devices', op: 'lte', value: 5 }, 'A'],
    ['custom number is not set', { field: 'custom.devices', op: 'is_not_set' }, 'BC'],
    ['custom checkbox', { field: 'custom.urgent', op: 'is', value: true }, 'A'],
    [
      'all / not',
      {
        all: [
          { field: 'status_category', op: 'in', value: ['new', 'open'] },
          { not: { field: 'channel', op: 'is', value: 'email' } },
        ],
      },
      'B',
    ],
    [
      'any',
      {
        any: [
          { field: 'priority', op: 'is', value: 'P3' },
          { field: 'custom.urgent', op: 'is', value: true },
        ],
      },
      'AC',
    ],
    ['hours since created >', { field: 'hours_since_created', op: 'gt', value: 2 }, 'AB'],
    ['hours since created >=', { field: 'hours_since_created', op: 'gte', value: 2 }, 'ABC'],
    ['hours since created <', { field: 'hours_since_created', op: 'lt', value: 2 }, 'D'],
    ['hours since created <=', { field: 'hours_since_created', op: 'lte', value: 2 }, 'CD'],
    ['created before', { field: 'created_at', op: 'before', value: new Date(t0.getTime() + 90 * 60_000).toISOString() }, 'AB'],
    ['solved at is set', { field: 'solved_at', op: 'is_set' }, 'D'],
    ['status is', { field: 'status', op: 'is', value: 'pending' }, 'C'],
    ['empty all matches everything', { all: [] }, 'ABCD'],
    ['empty any matches nothing', { any: [] }, ''],
  ];

  test('every fixture selects the expected tickets in SQL and in memory', async () => {
    const all = Object.values(ids);
    const rows = await t.database.db.select({ t: tickets, key: priorities.key }).from(tickets).innerJoin(priorities, eq(priorities.id, tickets.priorityId));
    const facts = new Map(rows.map((r) => [r.t.id, toFacts(r.t, r.key)]));
    const name = (id: string) => (Object.entries(ids).find(([, v]) => v === id)?.[0] as string) ?? '?';
    for (const [label, condition, expected] of fixtures()) {
      assert.deepEqual(checkCondition(condition, custom), [], `${label} is valid`);
      const inSql = (await t.database.db.select({ id: tickets.id }).from(tickets).where(and(inArray(tickets.id, all), compile(condition, now, custom))))
        .map((r) => name(r.id))
        .sort()
        .join('');
      const inMemory = all
        .filter((id) => evaluate(condition, facts.get(id) as ReturnType<typeof toFacts>, now, custom))
        .map(name)
        .sort()
        .join('');
      assert.equal(inSql, expected, `${label}: SQL`);
      assert.equal(inMemory, expected, `${label}: in memory`);
    }
  });

  test('bad conditions are described: unknown field, wrong operator for the type, wrong value', () => {
    assert.deepEqual(checkCondition({ field: 'colour', op: 'is', value: 'red' }), [{ path: 'condition.field', message: 'unknown field colour' }]);
    assert.match(checkCondition({ field: 'tags', op: 'is', value: 'x' })[0]?.message ?? '', /tags takes includes_any, includes_all, excludes; not is/);
    assert.deepEqual(
      checkCondition({ all: [{ field: 'hours_since_created', op: 'gt', value: 'two' }] }).map((p) => p.path),
      ['condition.all.0.value'],
    );
    assert.deepEqual(
      checkCondition({ any: [{ field: 'priority', op: 'in', value: [] }] }).map((p) => p.path),
      ['condition.any.0.value'],
    );
    assert.equal(checkCondition({ field: 'custom.nope', op: 'is', value: 'x' }, custom)[0]?.message, 'unknown field custom.nope');
    assert.equal(checkCondition({ field: 'group', op: 'is_set', value: 'x' })[0]?.message, 'is_set takes no value');
    let deep: Condition = { field: 'status', op: 'is', value: 'open' };
    for (let i = 0; i < 25; i++) deep = { not: deep };
    assert.match(checkCondition(deep)[0]?.message ?? '', /at most 20 deep/);
  });
});
