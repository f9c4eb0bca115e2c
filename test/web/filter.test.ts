import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Condition, checkCondition } from '../../src/modules/rules/conditions.js';
import { substitute } from '../../src/modules/views/views.service.js';
import { type Filter, filterToCondition as build } from '../../web/src/views/filter.js';

// The app types `op` as a string (from the OpenAPI document); the server's checker decides what is valid.
const filterToCondition = (f: Filter) => build(f) as Condition;

// The agent app builds view conditions in the browser; the server checks them. These must agree.
const empty: Filter = { states: [], priorities: [], types: [], groups: [], assignee: null, organizations: [], tags: [], channels: [], createdAfter: '', updatedBefore: '' };
const uuid = '11111111-1111-4111-8111-111111111111';

describe('the view filter form', () => {
  test('an empty form is "every ticket"', () => {
    assert.deepEqual(filterToCondition(empty), { all: [] });
  });

  test('every field the form offers becomes a condition the server accepts', () => {
    const full: Filter = {
      states: ['open', 'pending'],
      priorities: ['P1'],
      types: ['bug'],
      groups: [uuid],
      assignee: '$me',
      organizations: [uuid],
      tags: ['sync', 'android'],
      channels: ['email'],
      createdAfter: '2026-03-01',
      updatedBefore: '2026-03-31',
    };
    const condition = filterToCondition(full);
    assert.equal((condition as { all: unknown[] }).all.length, 10);
    assert.deepEqual(checkCondition(substitute(condition, { me: uuid, groups: [uuid] })), []);
    assert.deepEqual(checkCondition(filterToCondition({ ...empty, assignee: 'none' })), []);
    assert.deepEqual((filterToCondition({ ...empty, assignee: 'none' }) as { all: unknown[] }).all, [{ field: 'assignee', op: 'is_not_set' }]);
  });

  test('custom fields filter by their kind, in terms the server checks against the field definitions', () => {
    const c = filterToCondition({
      ...empty,
      custom: [
        { key: 'district', kind: 'dropdown', values: ['Kisumu'] },
        { key: 'vip', kind: 'checkbox', value: true },
        { key: 'device', kind: 'text', text: ' Android ' },
        { key: 'unset', kind: 'checkbox', value: null },
      ],
    });
    assert.deepEqual((c as { all: unknown[] }).all, [
      { field: 'custom.district', op: 'in', value: ['Kisumu'] },
      { field: 'custom.vip', op: 'is', value: true },
      { field: 'custom.device', op: 'contains', value: 'Android' },
    ]);
    assert.deepEqual(checkCondition(c, { district: 'key', vip: 'boolean', device: 'text' }), []);
  });

  test('dates are sent as instants', () => {
    const c = filterToCondition({ ...empty, createdAfter: '2026-03-01' }) as { all: { value: string }[] };
    assert.equal(c.all[0]?.value, new Date('2026-03-01').toISOString());
  });
});
