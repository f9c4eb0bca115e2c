import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** Lifeline as a real process, for tests of what only a process shows: the CLI, start-up, a crash. */
export const root = path.resolve(import.meta.dirname, '../..');

export function cli(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), ...args], { cwd: root, env, encoding: 'utf8' });
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
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main.ts'), 'start'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 300; i++) {
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
