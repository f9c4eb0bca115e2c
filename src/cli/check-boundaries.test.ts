import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ALLOWED, checkBoundaries, formatViolation, scanImports } from './check-boundaries.js';

// The boundary check on small source trees written to a temp dir (no database: it reads files only).
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-boundaries-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** A small app that keeps every rule: platform below modules, modules through services, a schema's foreign key. */
const clean = {
  'main.ts': "import { build } from './app.js';\nbuild();\n",
  'app.ts': "import { TicketsService } from './modules/tickets/tickets.service.js';\nexport const build = () => new TicketsService();\n",
  'platform/errors.ts': 'export class AppError extends Error {}\n',
  'db/schema.ts': "export * from '../modules/people/people.schema.js';\nexport * from '../modules/tickets/tickets.schema.js';\n",
  'modules/people/people.schema.ts': 'export const users = {};\n',
  'modules/people/people.service.ts': "import { users } from './people.schema.js';\nexport class PeopleService { users = users; }\n",
  'modules/tickets/tickets.schema.ts': "import { users } from '../people/people.schema.js';\nexport const tickets = { requester: users };\n",
  'modules/tickets/tickets.service.ts': [
    "import { AppError } from '../../platform/errors.js';",
    "import type { PeopleService } from '../people/people.service.js';",
    "import { tickets } from './tickets.schema.js';",
    'export class TicketsService { people?: PeopleService; t = tickets; e = AppError; }',
    '',
  ].join('\n'),
  'modules/tickets/tickets.test.ts': "import { users } from '../people/people.schema.js';\nexport const u = users;\n",
};

test('a tree that keeps the rules passes', () => {
  const report = checkBoundaries(tree(clean));
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.stale, []);
});

test("a module reading another module's tables is reported with its file and line", () => {
  const root = tree({
    ...clean,
    'modules/tickets/tickets.service.ts': [
      "import { AppError } from '../../platform/errors.js';",
      '// a comment line',
      'import {',
      '  users,',
      "} from '../people/people.schema.js';",
      'export class TicketsService { u = users; e = AppError; }',
      '',
    ].join('\n'),
  });
  const { violations } = checkBoundaries(root);
  assert.equal(violations.length, 1);
  const [v] = violations;
  assert.equal(v!.file, 'modules/tickets/tickets.service.ts');
  assert.equal(v!.line, 3);
  assert.equal(v!.target, 'modules/people/people.schema.ts');
  assert.equal(v!.rule, 'cross-module-internals');
  assert.match(formatViolation(v!, 'src/'), /^src\/modules\/tickets\/tickets\.service\.ts:3 imports src\/modules\/people\/people\.schema\.ts \(module → module only through/);
});

test('platform importing a module, a module importing app.ts or the CLI, and a dynamic import are reported', () => {
  const root = tree({
    ...clean,
    'platform/jobs.ts': "export async function run() {\n  const m = await import('../modules/people/people.service.js');\n  return m;\n}\n",
    'modules/people/people.service.ts': "import type { build } from '../../app.js';\nexport class PeopleService { b?: typeof build; }\n",
    'modules/people/people.routes.ts': "export { cli } from '../../cli/control.js';\n",
    'cli/control.ts': 'export const cli = 1;\n',
  });
  const got = checkBoundaries(root).violations.map((v) => `${v.file}:${v.line} ${v.rule}`);
  assert.deepEqual(got.sort(), [
    'modules/people/people.routes.ts:1 module-imports-app',
    'modules/people/people.service.ts:1 module-imports-app',
    'platform/jobs.ts:2 platform-imports-module',
  ]);
});

test('an import cycle between modules is found, type-only imports included', () => {
  const root = tree({
    ...clean,
    'modules/people/people.service.ts': "import type { TicketsService } from '../tickets/tickets.service.js';\nexport class PeopleService { t?: TicketsService; }\n",
  });
  const { violations } = checkBoundaries(root);
  assert.equal(violations.length, 1);
  const [v] = violations;
  assert.equal(v!.rule, 'module-cycle');
  assert.match(v!.detail, /no import cycles between modules: people, tickets via /);
  assert.match(v!.detail, /people → tickets \(modules\/people\/people\.service\.ts:1\)/);
  assert.match(v!.detail, /tickets → people \(modules\/tickets\/tickets\.schema\.ts:1\)/);
});

test('the allow-list tolerates what it names, and an entry that no longer matches is stale', () => {
  const root = tree({ ...clean, 'modules/tickets/tickets.queries.ts': "import { users } from '../people/people.schema.js';\nexport const q = users;\n" });
  const entry = { file: 'modules/tickets/tickets.queries.ts', target: 'modules/people/people.schema.ts', reason: 'test', issue: 11 };
  const gone = { file: 'modules/tickets/tickets.service.ts', target: 'modules/people/people.schema.ts', reason: 'test', issue: 11 };
  const report = checkBoundaries(root, [entry, gone]);
  assert.deepEqual(report.violations, []);
  assert.equal(report.tolerated.length, 1);
  assert.deepEqual(report.stale, [gone]);
});

test('the scanner knows import type, type-only specifiers, export … from and import() in a type position', () => {
  const text = [
    "import type { A } from './a.js';",
    "import { type B, type C } from './b.js';",
    "import { D, type E } from './d.js';",
    "export * from './e.js';",
    "export type { F } from './f.js';",
    "import './side-effect.js';",
    "let g: import('./g.js').G;",
    "const h = await import('./h.js');",
    "import { z } from 'zod';",
    "const s = 'import { x } from \"./not-at-line-start.js\"';",
  ].join('\n');
  const got = scanImports('/r', 'x.ts', text).map((i) => `${i.line} ${i.target} ${i.typeOnly ? 'type' : 'value'}`);
  assert.deepEqual(got, ['1 a.ts type', '2 b.ts type', '3 d.ts value', '4 e.ts value', '5 f.ts type', '6 side-effect.ts value', '7 g.ts type', '8 h.ts value']);
});

test('Lifeline itself passes: every violation left is on the allow-list, and no entry is stale', () => {
  // The real path: under `npm test` this file runs from a compiled mirror whose .ts files are links, and the script
  // only runs its check when started by its own (resolved) name.
  const script = fs.realpathSync(path.join(import.meta.dirname, 'check-boundaries.ts'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /boundaries ok: 0 violation\(s\), 0 stale allow-list entr\(y\/ies\), \d+ tolerated/);
  assert.ok(ALLOWED.every((a) => a.reason.length > 0 && a.issue > 0));
});
