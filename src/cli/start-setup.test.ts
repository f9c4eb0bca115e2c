import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { copyPgliteTemplateTo } from '../testing/database-templates.js';
import { createServerDatabase } from '../testing/harness.js';
import { freePort, type Running, startLifeline } from '../testing/process.js';

// The newcomer's first start, as a process: no admin yet, so `start` prints a setup token the browser needs.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-setup-'));
const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn', SMTP_LISTEN: 'false' };
let dropDatabase = async () => {};
let server: Running | undefined;

before(async () => {
  delete env.DATABASE_URL;
  const url = process.env.TEST_DATABASE_URL;
  // An empty desk on a migrated database: creating the embedded database is not what this file tests
  // (test/security/embedded-db.test.ts starts from nothing), and initdb in WASM is the slowest part of a start.
  if (!url) await copyPgliteTemplateTo(path.join(dataDir, 'pglite'));
  if (url) {
    const created = await createServerDatabase(url, 'lifeline_setup');
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
});
after(async () => {
  await server?.stop();
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('start on an empty desk prints a one-time setup token, saved 0600 in DATA_DIR, that creates the first admin once', async () => {
  server = await startLifeline({ ...env, SMTP_PORT: '0' }, await freePort());
  const running = server;
  for (let i = 0; i < 100 && !/setup token/.test(running.output()); i++) await new Promise((r) => setTimeout(r, 100));
  const printed = /one-time setup token:\s+(\S+)/.exec(running.output())?.[1];
  assert.ok(printed, running.output());
  const file = path.join(dataDir, 'setup-token');
  assert.equal(fs.readFileSync(file, 'utf8').trim(), printed);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const post = (token: string) =>
    fetch(`${running.base}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, email: 'first@example.org', name: 'First', password: 'a long enough password' }),
    });
  assert.equal((await post(printed)).status, 200);
  assert.equal(fs.existsSync(file), false);
  assert.equal((await post(printed)).status, 409);
});
