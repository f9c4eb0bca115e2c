import fs from 'node:fs';

/**
 * One process at a time on an embedded (PGlite) data directory. PGlite has no inter-process locking: two
 * processes on one directory each keep their own buffers and overwrite each other's files, which corrupts the
 * database. Whoever opens it first holds `<dir>.lock`, a file created exclusively (`wx`) holding its pid, until
 * it closes the database or exits; a lock whose owner is gone (crash, kill -9) is taken over.
 */
export type LockOwner = { pid: number; command: string; procStart?: string };

/** The directory is in use by a live process; `owner` says which. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(`Lifeline is running (pid ${owner.pid}${owner.command ? `, \`lifeline ${owner.command}\`` : ''}) on this data directory (${dir})`);
  }
}

export type DataDirLock = { path: string; owner: LockOwner; release(): void };

export const lockPathFor = (dir: string) => `${dir.replace(/[/\\]+$/, '')}.lock`;

/** Takes the lock on `dir` or throws DataDirLockedError. `command` names the holder in messages ("start", …). */
export async function acquireDataDirLock(dir: string, command = process.argv[2] ?? ''): Promise<DataDirLock> {
  const lockPath = lockPathFor(dir);
  const me: LockOwner = { pid: process.pid, command, procStart: processStart(process.pid) };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, me)) return held(lockPath, me);
    const seen = readOwner(lockPath);
    if (seen === 'gone') continue; // released between our attempt and the read: try again
    if (seen === 'partial' && attempt < 40) {
      // Another process created the file and is writing its pid into it right now.
      await sleep(25);
      continue;
    }
    if (seen !== 'partial' && isAlive(seen)) throw new DataDirLockedError(dir, seen);
    // Stale (its owner died, or never wrote its pid): take it over, one process at a time.
    if (!(await takeOver(lockPath, seen === 'partial' ? undefined : seen))) {
      if (attempt > 200) throw new Error(`Could not take over the stale lock ${lockPath}; remove it if no Lifeline runs on ${dir}`);
      await sleep(25);
    }
  }
}

/** Who holds the lock on `dir`, if a live process does. */
export function lockOwner(dir: string): LockOwner | undefined {
  const seen = readOwner(lockPathFor(dir));
  return typeof seen === 'object' && isAlive(seen) ? seen : undefined;
}

function held(lockPath: string, me: LockOwner): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Remove it only if it is still ours (it always should be).
    const seen = readOwner(lockPath);
    if (typeof seen === 'object' && seen.pid === me.pid) fs.rmSync(lockPath, { force: true });
  };
  process.on('exit', release);
  return { path: lockPath, owner: me, release };
}

function tryCreate(file: string, owner: LockOwner): boolean {
  try {
    // One write of a few bytes: a reader sees either an empty file (being written) or the whole owner.
    fs.writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function readOwner(file: string): LockOwner | 'partial' | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : 'partial';
  } catch {
    return 'partial';
  }
}

/**
 * Replaces a stale lock. Only the process holding `<lock>.takeover` may remove the lock file, and only after
 * checking, under that guard, that it still names the dead owner it saw: two processes that both found the same
 * stale lock can never both remove it (the second one would remove the first one's fresh lock).
 */
async function takeOver(lockPath: string, stale: LockOwner | undefined): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  const me: LockOwner = { pid: process.pid, command: 'takeover', procStart: processStart(process.pid) };
  if (!tryCreate(guard, me)) {
    const other = readOwner(guard);
    // A guard left by a process that died in the middle of a takeover (a few statements long) is removed.
    if (typeof other === 'object' && !isAlive(other) && other.pid !== process.pid) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    const now = readOwner(lockPath);
    const same = now === 'gone' || (stale === undefined ? now === 'partial' : typeof now === 'object' && now.pid === stale.pid && now.procStart === stale.procStart);
    if (same) fs.rmSync(lockPath, { force: true });
    return same;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function isAlive(owner: LockOwner): boolean {
  // Our own pid in a lock we do not hold: a previous process with the same pid (a container restart).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Where the start time of a process is known (Linux), a pid reused by another process does not count.
  const start = processStart(owner.pid);
  return owner.procStart === undefined || start === undefined || start === owner.procStart;
}

/** The process's start time in clock ticks since boot (Linux /proc), which tells a reused pid apart. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
