// Every test file, the slowest first, for `npm test` (test/run.mjs); run directly, it prints them.
//
// test/run.mjs starts files in this order, a few at a time (`node --test` on the command line sorts them by name). Sorted by name, the browser files
// (test/e2e/, the heaviest) all started last and ran as a tail of three long files on an otherwise idle machine.
// Started first, they overlap with the many short files instead. The order changes nothing else: every file is a
// process of its own.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

// Measured CPU seconds per file on the PGlite leg (December 2026), heaviest first, for the files well above the
// usual 5–8 s. A file missing here (a new one) runs after these; a browser file still runs before the rest.
const SLOWEST = [
  'src/modules/people/setup.test.ts',
  'test/e2e/agent-app.test.ts',
  'src/cli/cli.test.ts',
  'test/e2e/reports.test.ts',
  'src/modules/email/email-crash.test.ts',
  'test/e2e/security.test.ts',
  'test/e2e/support-setup.test.ts',
  'test/e2e/admin.test.ts',
  'test/e2e/boards.test.ts',
  'test/handbooks/processes.test.ts',
  'src/modules/sla/sla.test.ts',
  'src/platform/web-app.test.ts',
  'src/platform/jobs.test.ts',
  'test/e2e/kb.test.ts',
  'src/cli/start-setup.test.ts',
  'test/e2e/portal.test.ts',
  'test/e2e/incidents.test.ts',
  'test/e2e/status-subscribers.test.ts',
  'src/platform/schedules.test.ts',
  'test/e2e/oncall.test.ts',
  'src/modules/email/email-corpora.test.ts',
  'src/modules/sla/calendars.test.ts',
];

function filesUnder(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

const rank = (file) => {
  const known = SLOWEST.indexOf(file);
  if (known >= 0) return known;
  return file.startsWith('test/e2e/') ? SLOWEST.length : SLOWEST.length + 1;
};

/** Every test file, relative to the repository, the slowest first. */
export function testFiles() {
  const all = [...filesUnder('src'), ...filesUnder('test')].sort();
  return all
    .map((file, i) => ({ file, i }))
    .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
    .map((o) => o.file);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) process.stdout.write(`${testFiles().join('\n')}\n`);
