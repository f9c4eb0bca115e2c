import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Lifeline as a real process, for tests of what only a process shows: the CLI, start-up, a crash. */
export const root = path.resolve(import.meta.dirname, '../..');

/**
 * How to run `lifeline`: under `npm test` this module runs compiled (test/run.mjs) and so does the CLI it starts,
 * without tsx's loader (about half a CLI command's start-up CPU); run alone through tsx, the CLI runs through tsx too.
 */
const MAIN = import.meta.filename.endsWith('.js') ? [path.join(root, 'src/main.js')] : ['--import', 'tsx', path.join(root, 'src/main.ts')];

export function cli(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [...MAIN, ...args], { cwd: root, env, encoding: 'utf8' });
}

/**
 * The CLI, without blocking this process while it runs (a test that also talks HTTP to a server keeps its
 * connections alive meanwhile); `input` is piped to it (answers to its questions, one a line).
 */
export async function cliAsync(env: Record<string, string>, args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...MAIN, ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { status, stdout, stderr };
}

/** The CLI without waiting for it: for commands that run until stopped (`worker`), or that are killed midway. */
export async function spawnCli(env: Record<string, string>, args: string[], ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [...MAIN, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const stop = stopper(child);
  const until = Date.now() + 120_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`lifeline ${args.join(' ')} exited: ${output}`);
    if (Date.now() > until) {
      await stop('SIGKILL');
      throw new Error(`lifeline ${args.join(' ')} did not print ${ready}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base: '', output: () => output, stop };
}

function stopper(child: ChildProcess) {
  return async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export type Running = { child: ChildProcess; base: string; output: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> };

/** `lifeline start` on 127.0.0.1:`port`, resolved once /api/v1/health answers. */
export async function startLifeline(env: Record<string, string>, port: number): Promise<Running> {
  const child = spawn(process.execPath, [...MAIN, 'start'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  // A first start creates the database (initdb, migrations): seconds on an idle machine, far more on a busy one.
  // CI runs both database legs side by side on two cores: 120 s was seen to run out.
  for (const until = Date.now() + 300_000; Date.now() < until; ) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return { child, base, output: () => output, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop('SIGKILL');
  throw new Error(`server did not start: ${output}`);
}

/** Signs in over HTTP; returns headers for further calls. */
export async function signInOverHttp(base: string, email: string, password: string): Promise<Record<string, string>> {
  const session = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (session.status !== 200) throw new Error(`sign-in failed: ${session.status}`);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  return { cookie: (session.headers.get('set-cookie') ?? '').split(';')[0] as string, 'x-csrf-token': csrfToken };
}
