import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { openTestDatabase } from '../testing/harness.js';

// The repository itself, found through package.json: under `npm test` this file runs from a compiled mirror
// (test/run.mjs) whose src/ holds JavaScript and links, not the tree the build reads.
const ROOT = path.dirname(fs.realpathSync(path.resolve(import.meta.dirname, '../../package.json')));

/** Every file under src/ that tsc does not compile: what a built dist/ must carry beside the JavaScript. */
function assetsIn(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const file = path.join(rel, e.name);
    if (e.isDirectory()) return assetsIn(dir, file);
    return /\.(ts|mts|cts|tsx)$/.test(e.name) ? [] : [file];
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-build-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// What is under test is the build's output, not the database: it runs on the PGlite leg only (on the server leg it
// would compile the project a second time for nothing new, about a minute of CI's CPU).
const serverLeg = process.env.TEST_DATABASE_URL ? 'the build does not depend on the database: checked on the PGlite leg' : false;

test('the build makes a dist/ that runs: every non-TypeScript file under src/ is copied beside the code, and the portal and widget pages are served from it', { skip: serverLeg }, async () => {
  // The build script is tsc, then the copy step.
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  assert.equal(scripts.build, 'tsc -p tsconfig.build.json && node dist/cli/copy-assets.js');

  // The same two steps into a copy of the project's layout (src and node_modules linked, dist/ of its own).
  // --noCheck: emitting is what is under test; typecheck runs in CI on its own (with it this takes a minute).
  fs.symlinkSync(path.join(ROOT, 'src'), path.join(tmp, 'src'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  const dist = path.join(tmp, 'dist');
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', dist, '--noCheck'], { cwd: ROOT, stdio: 'pipe' });
  const said = execFileSync(process.execPath, [path.join(dist, 'cli/copy-assets.js')], { cwd: tmp, encoding: 'utf8' });

  const assets = assetsIn(path.join(ROOT, 'src'));
  for (const dir of ['db/migrations', 'modules/portal/page', 'modules/widget/page']) {
    assert.ok(assets.some((a) => a.startsWith(`${dir}/`)), `${dir} holds assets (the test looks where they are)`);
  }
  assert.match(said, new RegExp(`copied ${assets.length} asset file`));
  for (const file of assets) {
    const built = path.join(dist, file);
    assert.ok(fs.existsSync(built), `${file} is in dist/`);
    assert.ok(fs.readFileSync(built).equals(fs.readFileSync(path.join(ROOT, 'src', file))), `${file} is copied as it is`);
  }
  assert.ok(!fs.existsSync(path.join(dist, 'cli/copy-assets.ts')), 'no TypeScript source is copied');

  // The built app serves the pages it reads from beside its code.
  const { buildApp } = (await import(pathToFileURL(path.join(dist, 'app.js')).href)) as typeof import('../app.js');
  const { loadConfig } = (await import(pathToFileURL(path.join(dist, 'config.js')).href)) as typeof import('../config.js');
  const { database, drop } = await openTestDatabase();
  const { app, services } = await buildApp(loadConfig({ DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'silent' }), database, { logger: false, webDist: path.join(tmp, 'no-web') });
  try {
    for (const [url, type] of [
      ['/portal', /text\/html/],
      ['/portal-assets/portal.js', /javascript/],
      ['/portal-assets/portal.css', /text\/css/],
      ['/widget.js', /javascript/],
      ['/widget/panel.js', /javascript/],
    ] as const) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
      assert.match(String(res.headers['content-type']), type, url);
      assert.ok(res.body.length > 100, `${url} has its content`);
    }
  } finally {
    await app.close();
    await services.jobs.stop();
    await drop();
  }
});
