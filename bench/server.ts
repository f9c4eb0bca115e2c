import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const round = (x: number) => Math.round(x * 100) / 100;

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024);
}

/**
 * A real `lifeline start` in a child process of the checkout at `root`, driven over HTTP, so the benchmark's client
 * never shares the server's event loop. `extraNodeArgs` are passed to node (e.g. a CPU profile).
 */
export class Server {
  private child: ChildProcess | undefined;
  peakRss = 0;
  private sampler: NodeJS.Timeout | undefined;
  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
    private readonly root: string,
    private readonly extraNodeArgs: string[] = [],
  ) {}
  /** The server process's id (its CPU time, read from /proc by benchmarks). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start() {
    this.child = spawn(process.execPath, [...this.extraNodeArgs, '--import', 'tsx', path.join(this.root, 'src/main.ts'), 'start'], {
      cwd: this.root,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      // BENCH_SERVER_LOG=<file>: the server's log (stdout) appended there, e.g. to see why it stopped.
      stdio: ['ignore', process.env.BENCH_SERVER_LOG ? fs.openSync(process.env.BENCH_SERVER_LOG, 'a') : 'ignore', 'inherit'],
    });
    const child = this.child;
    // Never leave a server behind, even when the benchmark dies.
    process.once('exit', () => child.kill('SIGKILL'));
    let exited = false;
    child.once('exit', () => (exited = true));
    for (let i = 0; i < 600; i++) {
      if (exited) throw new Error('the server exited during start-up');
      try {
        if ((await fetch(`${this.url}/api/v1/health`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  }
  rss() {
    return rssMb(this.child?.pid as number);
  }
  watchRss() {
    this.peakRss = this.rss();
    this.sampler = setInterval(() => (this.peakRss = Math.max(this.peakRss, this.rss())), 50);
  }
  stopWatching() {
    clearInterval(this.sampler);
  }
  async stop() {
    this.stopWatching();
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
