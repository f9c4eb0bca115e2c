import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createServerDatabase } from '../../src/testing/harness.js';
import { cliAsync, freePort, type Running, signInOverHttp, spawnCli, startLifeline } from '../../src/testing/process.js';

/**
 * Issue 10, item 0: following the README (start, then `admin create` and `seed --demo` in another shell) must
 * never corrupt the embedded database. One process holds the data directory; the CLI works through it or
 * refuses; a crash leaves a directory that opens again. Real processes on one DATA_DIR, on PGlite in both CI
 * legs (these are the embedded database's guarantees; DATABASE_URL is removed from the children's environment).
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-embedded-'));
const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn', SMTP_PORT: '0' };
delete env.DATABASE_URL;
const lockFile = path.join(dataDir, 'pglite.lock');
const socketFile = path.join(dataDir, 'lifeline.sock');
const PASSWORD = 'long enough password';
let server: Running | undefined;

after(async () => {
  await server?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => cliAsync(env, args);
const ticketCount = async (base: string, headers: Record<string, string>) => {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = (await (await fetch(`${base}/api/v1/tickets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers })).json()) as { items: unknown[]; nextCursor?: string | null };
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
};
const signInFails = async (base: string, email: string, password: string) =>
  (await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).status;

test('while the server runs, admin create, seed --demo and migrate are carried out by it; the admin signs in at once', async () => {
  server = await startLifeline(env, await freePort());
  assert.equal(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid, server.child.pid, 'the server holds the lock');
  assert.equal(fs.statSync(socketFile).mode & 0o777, 0o600, 'only the same OS user can use the control socket');

  const admin = await cli('admin', 'create', '--email', 'boss@example.org', '--password', PASSWORD);
  assert.equal(admin.status, 0, admin.stderr);
  assert.match(admin.stdout, /Admin boss@example.org created[\s\S]*carried out by the running Lifeline, pid \d+/);
  await signInOverHttp(server.base, 'boss@example.org', PASSWORD);

  // The service's rules hold through the server, and their messages reach the CLI.
  const short = await cli('admin', 'create', '--email', 'short@example.org', '--password', 'short');
  assert.equal(short.status, 1);
  assert.match(short.stderr, /password: use at least 10 characters/);
  const again = await cli('admin', 'create', '--email', 'boss@example.org', '--password', PASSWORD);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists/);

  // Answers on stdin: a too-short password asks again instead of aborting, and the password is not printed.
  const prompted = await cliAsync(env, ['admin', 'create'], `second@example.org\nshort\n${PASSWORD}\n`);
  assert.equal(prompted.status, 0, prompted.stderr);
  assert.match(prompted.stdout, /use at least 10 characters[\s\S]*Password[\s\S]*Admin second@example.org created/);
  assert.ok(!prompted.stdout.includes(PASSWORD));
  await signInOverHttp(server.base, 'second@example.org', PASSWORD);

  const seeded = await cli('seed', '--demo');
  assert.equal(seeded.status, 0, seeded.stderr);
  assert.match(seeded.stdout, /Demo data added: .*"tickets":300/);
  // While the server works the CLI says so, rather than waiting in silence.
  assert.match(seeded.stderr, new RegExp(`The running Lifeline \\(pid ${server.child.pid}\\) is carrying this out; waiting for it to finish`));
  const amina = await signInOverHttp(server.base, 'amina@lifeline.example', 'demo-password-123');
  assert.equal(await ticketCount(server.base, amina), 300);

  const migrated = await cli('migrate');
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, /applied the migrations when it started/);
});

test('a second start on the same data directory is refused before it opens the database', async () => {
  const second = await cliAsync({ ...env, PORT: String(await freePort()) }, ['start']);
  assert.equal(second.status, 1);
  assert.match(second.stderr, new RegExp(`Lifeline is running \\(pid ${server?.child.pid}, \`lifeline start\`\\) on this data directory .*; stop it first`));
  assert.equal(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid, server?.child.pid);
  const boss = await signInOverHttp(server?.base as string, 'boss@example.org', PASSWORD);
  assert.equal(await ticketCount(server?.base as string, boss), 300);
});

test('a worker holds the directory too: the CLI refuses, says what to do, and changes nothing', async () => {
  await server?.stop();
  assert.ok(!fs.existsSync(lockFile), 'a clean stop releases the lock');
  assert.ok(!fs.existsSync(socketFile));
  const worker = await spawnCli(env, ['worker'], /worker is running/);
  try {
    const refused = await cli('admin', 'create', '--email', 'late@example.org', '--password', PASSWORD);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`Lifeline is running \\(pid ${worker.child.pid}, \`lifeline worker\`\\) on this data directory`));
    assert.match(refused.stderr, /Nothing was changed[\s\S]*Stop it first/);
    const start = await cliAsync({ ...env, PORT: String(await freePort()) }, ['start']);
    assert.equal(start.status, 1);
    assert.match(start.stderr, /`lifeline worker`\) on this data directory .*; stop it first/);
  } finally {
    await worker.stop();
  }
});

test('stop, start again: everything is there and sign-in works', async () => {
  server = await startLifeline(env, await freePort());
  const boss = await signInOverHttp(server.base, 'boss@example.org', PASSWORD);
  await signInOverHttp(server.base, 'second@example.org', PASSWORD);
  await signInOverHttp(server.base, 'fatima@lifeline.example', 'demo-password-123');
  assert.equal(await ticketCount(server.base, boss), 300);
  assert.equal(await signInFails(server.base, 'late@example.org', PASSWORD), 401, 'the refused command created nothing');
});

test('kill -9 while writing: the next start opens the database with every acknowledged ticket', async () => {
  const running = server as Running;
  const headers = await signInOverHttp(running.base, 'boss@example.org', PASSWORD);
  const acknowledged: string[] = [];
  const create = async (i: number) => {
    const res = await fetch(`${running.base}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ subject: `Written before the crash ${i}`, description: 'Keep me', requester: { email: 'flw@example.org' } }),
    });
    if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
  };
  // Four writers at a time; the kill lands while requests are in flight.
  let i = 0;
  const writers = Array.from({ length: 4 }, async () => {
    while (running.child.exitCode === null && running.child.signalCode === null) await create(i++).catch(() => {});
  });
  while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
  await running.stop('SIGKILL');
  await Promise.all(writers);
  assert.ok(fs.existsSync(lockFile), 'the killed process left its lock');

  // The stale lock is taken over; the CLI opens the database itself (no server runs), then the server.
  const migrated = await cli('migrate');
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, /Migrations applied \(pglite\)/);
  server = await startLifeline(env, await freePort());
  const after = await signInOverHttp(server.base, 'boss@example.org', PASSWORD);
  for (const id of acknowledged) assert.equal((await fetch(`${server.base}/api/v1/tickets/${id}`, { headers: after })).status, 200, id);
  assert.ok((await ticketCount(server.base, after)) >= 300 + acknowledged.length);
  const admin = await cli('admin', 'create', '--email', 'after-crash@example.org', '--password', PASSWORD);
  assert.equal(admin.status, 0, admin.stderr);
  await signInOverHttp(server.base, 'after-crash@example.org', PASSWORD);
  await server.stop();
});

test('with DATABASE_URL there is no lock: the server handles concurrency', async (t) => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return t.skip('needs a PostgreSQL server (TEST_DATABASE_URL)');
  const created = await createServerDatabase(url, 'lifeline_nolock');
  try {
    // A live process "holds" the embedded directory; a server database does not care.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, command: 'start' }));
    const migrated = await cliAsync({ ...env, DATABASE_URL: created.url }, ['migrate']);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, /Migrations applied \(postgres\)/);
    assert.equal(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid, process.pid);
  } finally {
    fs.rmSync(lockFile, { force: true });
    await created.drop();
  }
});
