import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTicketQuery } from './search-query.js';
import { allowedTargets, canTransition } from './transitions.js';

test('filters, quoted values and free text are told apart', () => {
  assert.deepEqual(parseTicketQuery('status:open,pending priority:P1 assignee:me group:"Level 2" tag:sync tag:ios org:acme "cannot sync" today'), {
    status: ['open', 'pending'],
    priority: ['P1'],
    assignee: 'me',
    group: 'Level 2',
    tag: ['sync', 'ios'],
    org: 'acme',
    text: '"cannot sync" today',
  });
});

test('a lone #number looks up that ticket; URLs stay text', () => {
  assert.deepEqual(parseTicketQuery('#1042'), { number: 1042 });
  assert.deepEqual(parseTicketQuery('https://example.org/x'), { text: 'https://example.org/x' });
});

test('unknown filters and empty values are errors', () => {
  assert.throws(() => parseTicketQuery('colour:red'), /Unknown filter colour/);
  assert.throws(() => parseTicketQuery('group:""'), /has no value/);
  assert.throws(() => parseTicketQuery('number:abc'), /ticket number/);
});

test('transitions: closed and merged are final; solved reopens or closes', () => {
  assert.equal(canTransition('solved', 'open'), true);
  assert.equal(canTransition('solved', 'closed'), true);
  assert.equal(canTransition('open', 'closed'), false);
  assert.equal(canTransition('closed', 'open'), false);
  assert.equal(canTransition('pending', 'pending'), true);
  assert.deepEqual(allowedTargets('closed'), []);
  assert.equal(canTransition('open', 'new'), false);
});
