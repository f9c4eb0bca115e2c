import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createServerDatabase } from '../testing/harness.js';

// The newcomer's path, as processes: migrate, create the admin from the CLI, start the server, sign in.
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-cli-'));
const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
let dropDatabase = async () => {};
let server: ChildProcess | undefined;

before(async () => {
  delete env.DATABASE_URL;
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const created = await createServerDatabase(url, 'lifeline_cli');
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), ...args], { cwd: root, env, encoding: 'utf8' });
}

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
  const port = 3800 + Math.floor(Math.random() * 100);
  server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), 'start'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', SMTP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout?.on('data', (d) => (output += d));
  server.stderr?.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) assert.fail(`server exited: ${output}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const session = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'boss@example.org', password: 'long enough password' }),
  });
  assert.equal(session.status, 200);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const created = await fetch(`${base}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ subject: 'First ticket', description: 'Hello', requester: { email: 'flw@example.org' } }),
  });
  assert.equal(created.status, 201);
  assert.equal(((await created.json()) as { number: number }).number, 1001);
  assert.doesNotMatch(output, /No admin exists yet/);
});
