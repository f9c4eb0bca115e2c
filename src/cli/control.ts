import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.js';

/**
 * The local control channel of a running Lifeline on an embedded database. Only one process may open an
 * embedded data directory (see db/lock.ts), so while `lifeline start` holds it, the CLI's `admin create`,
 * `seed --demo` and `migrate` ask that process to do the work with its own services instead.
 *
 * A Unix socket in DATA_DIR, mode 0600 (only the OS user who runs Lifeline, who can read the database files
 * anyway); one JSON request per connection, one JSON response, each a single line.
 */
export const controlSocketPath = (config: Config) => path.join(config.dataDir, 'lifeline.sock');

export const ControlRequest = z.discriminatedUnion('command', [
  z.object({ command: z.literal('admin.create'), email: z.string(), password: z.string(), name: z.string().optional() }),
  z.object({ command: z.literal('seed.demo') }),
  z.object({ command: z.literal('migrate') }),
  z.object({ command: z.literal('reports.rebuild') }),
]);
export type ControlRequest = z.infer<typeof ControlRequest>;
export type ControlResponse = { ok: boolean; message: string; pid: number };

const MAX_REQUEST_BYTES = 64 * 1024;
// sun_path is 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 103;

export type ControlServer = { path: string; close(): Promise<void> };

/**
 * Listens on `socketPath`; `handle` returns the message for the CLI to print, or throws (the error's message is
 * printed, and the CLI exits 1). Call it only while holding the data directory's lock: a socket file already
 * there was left by a process that crashed, and is replaced.
 */
export async function startControlServer(socketPath: string, handle: (request: ControlRequest) => Promise<string>, describeError: (err: unknown) => string): Promise<ControlServer | undefined> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return undefined;
  fs.rmSync(socketPath, { force: true });
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    const reply = (response: Omit<ControlResponse, 'pid'>) => {
      if (!socket.destroyed) socket.end(`${JSON.stringify({ ...response, pid: process.pid })}\n`);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > MAX_REQUEST_BYTES) {
        socket.off('data', onData);
        reply({ ok: false, message: 'request too large' });
        return;
      }
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      socket.off('data', onData);
      let request: ControlRequest;
      try {
        request = ControlRequest.parse(JSON.parse(buffered.slice(0, end)));
      } catch {
        reply({ ok: false, message: 'not a Lifeline control request (is the CLI the same version as the server?)' });
        return;
      }
      handle(request).then(
        (message) => reply({ ok: true, message }),
        (err) => reply({ ok: false, message: describeError(err) }),
      );
    };
    socket.on('data', onData);
  });
  // Created 0600 from the start (no moment in which another user could connect), and chmod'ed to be sure.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.destroy();
      });
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/**
 * Sends one request to the Lifeline listening on `socketPath`; undefined when none listens there. `onSent` is called
 * once it has the request: the answer comes when the work is done, however long that takes (there is no timeout).
 */
export async function controlRequest(socketPath: string, request: ControlRequest, onSent?: () => void): Promise<ControlResponse | undefined> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return undefined;
  return new Promise((resolve, reject) => {
    let answer = '';
    let connected = false;
    const socket = net.createConnection(socketPath, () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`, () => onSent?.());
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) resolve(undefined);
      else reject(new Error(`the running Lifeline closed the control connection: ${err.message}`));
    });
    socket.on('end', () => {
      try {
        resolve(JSON.parse(answer) as ControlResponse);
      } catch {
        reject(new Error('the running Lifeline stopped before it answered; check its log, then run the command again'));
      }
    });
  });
}
