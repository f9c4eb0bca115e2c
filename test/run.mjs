// `npm test`: compiles the TypeScript once, then runs every test file on plain Node.
//
// Each test file is a process of its own, and so is every `lifeline` command a test starts. Loading the app through
// tsx's loader cost about 5.3 s of CPU per process on the 2-core CI machine against 2.4 s for the same modules
// compiled ahead (measured December 2026, importing src/testing/harness): over a few hundred processes per leg that
// was about half the suite's CPU. tsx transforms with esbuild too, so what runs is the same code.
//
// The compiled files go to a mirror of the repository, `.cache/test-run-<pid>/`: `src/`, `test/` and `web/` hold a
// `.js` beside a link to each `.ts` file and links to everything else, so a module that finds files relative to
// itself (migrations, the built app, page templates, corpora) finds the real ones. The mirror is per run because
// CI runs two legs side by side in one checkout; it is removed when the run ends.
//
// A single file still runs as the README says: `node --import tsx --test <file>`.
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';
import { build } from 'esbuild';
import { testFiles } from './test-files.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, '.cache');
const MIRROR = path.join(CACHE, `test-run-${process.pid}`);
// Mirrored directory by directory (they hold TypeScript); every other top-level entry is one link.
const MIRRORED = new Set(['src', 'test', 'web']);
// Left out of the mirror: what a run must not share (its own scratch) or never reads.
const NOT_LINKED = new Set(['.cache', '.git', 'data', 'dist', 'node_modules']);

/** Whether a directory holds TypeScript at any depth (if not, it is linked whole: corpora, page assets, dist). */
function holdsTypeScript(dir) {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
}

function mirror(rel, sources) {
  fs.mkdirSync(path.join(MIRROR, rel), { recursive: true });
  for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    const real = path.join(ROOT, child);
    if (entry.isDirectory() && entry.name !== 'node_modules' && holdsTypeScript(real)) {
      mirror(child, sources);
      continue;
    }
    fs.symlinkSync(real, path.join(MIRROR, child));
    if (entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) sources.push(real);
  }
}

/** Removes mirrors that runs which did not end cleanly (killed) left behind; a live run's is kept. */
function removeStaleMirrors() {
  if (!fs.existsSync(CACHE)) return;
  for (const name of fs.readdirSync(CACHE)) {
    const pid = /^test-run-(\d+)$/.exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (err) {
      // Only a process that is gone (ESRCH); EPERM is a live run of another user's.
      if (err.code === 'ESRCH') fs.rmSync(path.join(CACHE, name), { recursive: true, force: true });
    }
  }
}

async function compile() {
  const started = performance.now();
  removeStaleMirrors();
  fs.mkdirSync(MIRROR, { recursive: true });
  const sources = [];
  for (const entry of fs.readdirSync(ROOT, { withFileTypes: true })) {
    if (MIRRORED.has(entry.name)) mirror(entry.name, sources);
    else if (!NOT_LINKED.has(entry.name)) fs.symlinkSync(path.join(ROOT, entry.name), path.join(MIRROR, entry.name));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(MIRROR, 'node_modules'));
  // Shared with single-file runs: the migrated template databases (src/testing/database-templates.ts).
  fs.mkdirSync(path.join(CACHE, 'test-templates'), { recursive: true });
  fs.mkdirSync(path.join(MIRROR, '.cache'));
  fs.symlinkSync(path.join(CACHE, 'test-templates'), path.join(MIRROR, '.cache', 'test-templates'));
  await build({
    entryPoints: sources,
    outdir: MIRROR,
    outbase: ROOT,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    // Stack traces point into the TypeScript when NODE_OPTIONS has --enable-source-maps.
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  process.stderr.write(`# compiled ${sources.length} TypeScript files in ${Math.round(performance.now() - started)} ms\n`);
}

const cleanUp = () => fs.rmSync(MIRROR, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

try {
  await compile();
} catch (err) {
  cleanUp();
  throw err;
}
// `npm test -- a.test.ts b.test.ts` runs those files only; `--test-name-pattern=<regex>` runs the tests it matches.
const args = process.argv.slice(2);
const named = args.filter((a) => a.endsWith('.ts')).map((f) => path.relative(ROOT, path.resolve(f)));
const patterns = args.filter((a) => a.startsWith('--test-name-pattern=')).map((a) => a.slice('--test-name-pattern='.length));
const unknown = args.filter((a) => !a.endsWith('.ts') && !a.startsWith('--test-name-pattern='));
if (unknown.length) {
  cleanUp();
  process.stderr.write(`npm test: unknown argument(s) ${unknown.join(' ')}; give test files (*.ts) or --test-name-pattern=<regex>\n`);
  process.exit(2);
}
const files = (named.length ? named : testFiles()).map((f) => path.join(MIRROR, f.replace(/\.tsx?$/, '.js')));
// node:test's run() rather than `node --test`: the command line sorts the files by name, which started the heaviest
// (test/e2e/, setup) last and ended every run with a tail of a few long files on otherwise idle cores.
const stream = run({ files, concurrency: 3, ...(patterns.length ? { testNamePatterns: patterns } : {}) });
stream.on('test:fail', (event) => {
  if (!event.todo) process.exitCode = 1;
});
const report = stream.compose(tap);
report.pipe(process.stdout);
await finished(report);
cleanUp();
