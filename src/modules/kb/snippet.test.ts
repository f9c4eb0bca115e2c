import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database, Executor } from '../../db/client.js';
import { openTestDatabase } from '../../testing/harness.js';
import { bestWindow, Snippets } from './snippet.js';

let database: Database;
let drop: () => Promise<void>;
before(async () => {
  ({ database, drop } = await openTestDatabase());
});
after(() => drop());

/** The database, counting the statements run through it. */
function counting(db: Executor) {
  const counter = {
    statements: 0,
    db: {
      execute: (q: Parameters<Executor['execute']>[0]) => {
        counter.statements++;
        return db.execute(q);
      },
    } as unknown as Executor,
  };
  return counter;
}

test("a snippet marks the query's words as the language stems them, shows them in context, and stems each word once per process", async () => {
  const c = counting(database.db);
  const snippets = new Snippets(c.db);
  const text =
    'Welcome to the guide. It covers many things about phones and tablets in the field, one after the other, with pictures. ' +
    'When the phone is offline, forms are synced later. Sync resumes automatically once the network is back; nothing is lost. ' +
    'The end.';
  const [one, none] = await snippets.highlight('english', 'sync the forms', [text, 'Nothing here matches at all, not one word of it, in any of these many plain words.']);
  assert.equal(c.statements, 1, 'every unknown word stemmed in one statement');
  await snippets.highlight('english', 'synced', [text]);
  assert.equal(c.statements, 1, 'known words cost no statement');
  assert.match(one as string, /\u0001forms\u0002 are \u0001synced\u0002 later\. \u0001Sync\u0002 resumes/, 'stemmed matches, in their own case');
  assert.doesNotMatch(one as string, /\u0001the\u0002/i, 'a stop word is not a match');
  assert.ok((one as string).startsWith('phone is offline, '), `three words before the first match: ${one}`);
  assert.ok((one as string).endsWith('nothing is lost. The end'), 'then on to the end of the text (fewer than 30 words left)');
  const [long] = await snippets.highlight('english', 'sync', [`${'word '.repeat(10)}sync ${'more '.repeat(50)}`]);
  assert.equal((long as string).split(' ').length, 30, 'at most 30 words');
  assert.equal(none, 'Nothing here matches at all, not one word of it, in any', 'no match: the first 12 words');
});

test('the best window has the most distinct query words, then the most matches, the earliest on a tie', () => {
  const words = (s: string) => s.split(' ').map((w) => (w === '.' ? null : w));
  assert.deepEqual(bestWindow(words(`a ${'. '.repeat(30)}b a`)), [28, 33], 'a and b together beat a alone');
  assert.deepEqual(bestWindow(words(`. a ${'. '.repeat(30)}a`)), [0, 30], 'as many distinct words: the earliest');
  assert.deepEqual(bestWindow([]), [0, 0]);
  assert.deepEqual(bestWindow(words('. . .')), [0, 3]);
});
