import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { copyPgliteTemplateTo } from '../testing/database-templates.js';
import { createServerDatabase } from '../testing/harness.js';
import { cli as runCli, freePort, type Running, signInOverHttp, startLifeline } from '../testing/process.js';

// The newcomer's path, as processes: migrate, create the admin from the CLI, start the server, sign in.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-cli-'));
const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
let dropDatabase = async () => {};
let server: Running | undefined;

before(async () => {
  delete env.DATABASE_URL;
  const url = process.env.TEST_DATABASE_URL;
  // An empty desk on a migrated database: creating the embedded database is not what this file tests
  // (test/security/embedded-db.test.ts starts from nothing), and initdb in WASM is the slowest part of a start.
  if (!url) await copyPgliteTemplateTo(path.join(dataDir, 'pglite'));
  if (url) {
    const created = await createServerDatabase(url, 'lifeline_cli');
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
});

after(async () => {
  await server?.stop();
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(env, ...args);

test('help lists the commands; an unknown command exits 2', () => {
  const help = cli('help');
  assert.equal(help.status, 0);
  for (const c of ['start', 'worker', 'migrate', 'admin create', 'seed --demo']) assert.ok(help.stdout.includes(c), c);
  assert.equal(cli('frobnicate').status, 2);
});

test('admin create refuses a short password and a bad email, then creates the admin', () => {
  const short = cli('admin', 'create', '--email', 'boss@example.org', '--password', 'short');
  assert.equal(short.status, 1);
  assert.match(short.stderr, /password: use at least 10 characters/);
  const bad = cli('admin', 'create', '--email', 'not-an-email', '--password', 'long enough password');
  assert.equal(bad.status, 1);
  const ok = cli('admin', 'create', '--email', 'boss@example.org', '--password', 'long enough password');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Admin boss@example.org created/);
  const again = cli('admin', 'create', '--email', 'boss@example.org', '--password', 'long enough password');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists/);
});

test('start serves the API, and the admin signs in and creates a ticket', async () => {
  server = await startLifeline({ ...env, SMTP_PORT: '0' }, await freePort());
  const headers = await signInOverHttp(server.base, 'boss@example.org', 'long enough password');
  const created = await fetch(`${server.base}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ subject: 'First ticket', description: 'Hello', requester: { email: 'flw@example.org' } }),
  });
  assert.equal(created.status, 201);
  assert.equal(((await created.json()) as { number: number }).number, 1001);
  assert.doesNotMatch(server.output(), /No admin exists yet/);
});
