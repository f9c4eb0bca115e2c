import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { acquireDataDirLock, DataDirLockedError, lockPathFor } from './lock.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-lock-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const lockModule = path.join(import.meta.dirname, 'lock.ts');

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

/**
 * `n` processes that all try to take the lock at the same moment: the race of two `lifeline start` at once. Each
 * reports `won` or `locked <pid>`. The moment is a file the test creates once every process is loaded and waiting
 * (on a loaded machine loading takes seconds, so a fixed start time let a late process find the lock released),
 * and a winner holds the lock until every process has reported, so every attempt meets a held lock.
 */
async function race(dir: string, n: number): Promise<string[]> {
  const go = `${dir}.go`;
  const done = `${dir}.done`;
  const script = `
    const fs = await import('node:fs');
    const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)});
    const until = async (file) => { while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 1)); };
    console.log('ready');
    await until(${JSON.stringify(go)});
    try {
      const lock = await acquireDataDirLock(${JSON.stringify(dir)}, 'race');
      console.log('won');
      await until(${JSON.stringify(done)});
      lock.release();
    } catch (err) {
      console.log(err.owner ? 'locked ' + err.owner.pid : 'error ' + err.message);
    }`;
  const lines: string[][] = [];
  let changed: () => void = () => {};
  const runs = Array.from({ length: n }, (_, i) => {
    lines[i] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines[i]?.push(...parts.map((p) => p.trim()).filter(Boolean));
      changed();
    });
    return new Promise<void>((resolve) =>
      child.once('close', (code) => {
        // A process that died early must not leave the test waiting for it: its result says so.
        lines[i]?.push('ready', `exited ${code}`);
        changed();
        resolve();
      }),
    );
  });
  const waitFor = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => (changed = r));
  };
  await waitFor(() => lines.every((l) => l.includes('ready')));
  fs.writeFileSync(go, '');
  await waitFor(() => lines.every((l) => l.length >= 2));
  fs.writeFileSync(done, '');
  await Promise.all(runs);
  return lines.map((l) => l.find((x) => x !== 'ready') ?? '');
}

test('processes starting at once on a free directory: exactly one holds it', async () => {
  const dir = path.join(tmp, 'free');
  const results = await race(dir, 6);
  assert.equal(results.filter((r) => r === 'won').length, 1, results.join(', '));
  assert.equal(results.filter((r) => r.startsWith('locked ')).length, 5, results.join(', '));
  assert.ok(!fs.existsSync(lockPathFor(dir)), 'released');
});

test('processes starting at once after a crash: the stale lock is taken over by exactly one', async () => {
  const dir = path.join(tmp, 'stale');
  fs.writeFileSync(lockPathFor(dir), JSON.stringify({ pid: deadPid(), command: 'start' }));
  const results = await race(dir, 6);
  assert.equal(results.filter((r) => r === 'won').length, 1, results.join(', '));
  assert.equal(results.filter((r) => r.startsWith('locked ')).length, 5, results.join(', '));
});

test('a live holder is reported; its lock is left alone', async () => {
  const dir = path.join(tmp, 'live');
  const holder = { pid: process.ppid, command: 'worker' };
  fs.writeFileSync(lockPathFor(dir), JSON.stringify(holder));
  const err = await acquireDataDirLock(dir).catch((e: unknown) => e);
  assert.ok(err instanceof DataDirLockedError);
  assert.equal(err.owner.pid, process.ppid);
  assert.match(err.message, new RegExp(`^Lifeline is running \\(pid ${process.ppid}, \`lifeline worker\`\\) on this data directory`));
  assert.deepEqual(JSON.parse(fs.readFileSync(lockPathFor(dir), 'utf8')), holder);
});

test('a lock naming our own pid (a container restarted with the same pid), or left half-written, is taken over', async () => {
  const own = path.join(tmp, 'own');
  fs.writeFileSync(lockPathFor(own), JSON.stringify({ pid: process.pid, command: 'start' }));
  (await acquireDataDirLock(own)).release();
  const partial = path.join(tmp, 'partial');
  fs.writeFileSync(lockPathFor(partial), '');
  const lock = await acquireDataDirLock(partial, 'test');
  assert.equal(JSON.parse(fs.readFileSync(lockPathFor(partial), 'utf8')).pid, process.pid);
  lock.release();
  assert.ok(!fs.existsSync(lockPathFor(partial)));
});

test('a process that exits without closing releases its lock', () => {
  const dir = path.join(tmp, 'exit');
  const script = `const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)}); await acquireDataDirLock(${JSON.stringify(dir)}); process.exit(3);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 3, run.stderr);
  assert.ok(!fs.existsSync(lockPathFor(dir)));
});
