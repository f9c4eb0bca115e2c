import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { Mailbox } from './addresses.service.js';
import { testImapConnection } from './imap-poller.js';

/**
 * "Test the connection" answers one fixed sentence per failure class and never repeats what the far end said: an
 * admin may point a mailbox at an internal host, and its banner or error text must not come back through Lifeline.
 * Each case is a real TCP server on 127.0.0.1 that answers the way that class of failure does.
 */
const SECRET = 'internal-build-7f3a/var/lib/secret';

const servers: net.Server[] = [];
after(async () => {
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** A server that runs `onSocket` per connection; its port. */
async function serve(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A small IMAP server: greets, lists capabilities (LOGIN only), and answers LOGIN and EXAMINE/SELECT as told. */
function imap(answers: { login: 'ok' | 'no'; folder: 'ok' | 'no' }) {
  return (socket: net.Socket) => {
    socket.write('* OK [CAPABILITY IMAP4rev1] ready\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let i = buffer.indexOf('\r\n'); i !== -1; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const [tag, command = ''] = line.split(' ');
        const verb = command.toUpperCase();
        if (verb === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`);
        else if (verb === 'LOGIN') socket.write(answers.login === 'ok' ? `${tag} OK logged in\r\n` : `${tag} NO [AUTHENTICATIONFAILED] ${SECRET}\r\n`);
        else if (verb === 'EXAMINE' || verb === 'SELECT') {
          socket.write(answers.folder === 'ok' ? `* 3 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n${tag} OK [READ-ONLY] done\r\n` : `${tag} NO [NONEXISTENT] ${SECRET}\r\n`);
        } else if (verb === 'LOGOUT') {
          socket.end(`* BYE ${SECRET}\r\n${tag} OK bye\r\n`);
        } else socket.write(`${tag} OK ${verb.toLowerCase()} done\r\n`);
      }
    });
  };
}

const mailbox = (port: number, patch: Partial<Mailbox> = {}): Mailbox => ({
  id: '00000000-0000-4000-8000-000000000001',
  addressId: '00000000-0000-4000-8000-000000000002',
  host: '127.0.0.1',
  port,
  secure: false,
  tlsVerify: true,
  username: 'support',
  password: 'the-password',
  folder: 'INBOX',
  afterStore: 'flag',
  moveTo: null,
  active: true,
  status: 'active',
  uidValidity: null,
  lastUid: 0,
  connected: false,
  lastSyncAt: null,
  lastError: null,
  lastErrorAt: null,
  failureCount: 0,
  createdAt: new Date(),
  ...patch,
});

async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('"Test the connection": a fixed sentence per failure class, nothing the server said', () => {
  test('each class of failure gets its own sentence, and the far end is never quoted', async () => {
    const cases: { name: string; box: Mailbox; failure: string; says: RegExp; timeoutMs?: number }[] = [
      { name: 'ok', box: mailbox(await serve(imap({ login: 'ok', folder: 'ok' }))), failure: 'none', says: /signed in as support; INBOX holds 3 message/ },
      { name: 'auth', box: mailbox(await serve(imap({ login: 'no', folder: 'ok' }))), failure: 'auth', says: /refused the username or password for support/ },
      { name: 'folder', box: mailbox(await serve(imap({ login: 'ok', folder: 'no' })), { folder: 'Archive' }), failure: 'folder', says: /the folder Archive could not be opened/ },
      { name: 'refused', box: mailbox(await closedPort()), failure: 'refused', says: /Nothing accepts connections at 127\.0\.0\.1:\d+/ },
      // The resolver may take a few seconds to say so: this one waits longer than the others.
      { name: 'dns', box: mailbox(143, { host: 'no-such-host.invalid' }), failure: 'dns', says: /The host no-such-host\.invalid was not found/, timeoutMs: 30_000 },
      // Another service on the port: its banner, then it hangs up.
      { name: 'not imap', box: mailbox(await serve((s) => s.end(`SSH-2.0-OpenSSH_9.2 ${SECRET}\r\n`))), failure: 'not_imap', says: /did not answer as an IMAP server does/ },
      // "secure" against a plain-text server: the TLS handshake reads its greeting as a record.
      { name: 'tls', box: mailbox(await serve(imap({ login: 'ok', folder: 'ok' })), { secure: true }), failure: 'tls', says: /The secure connection to 127\.0\.0\.1:\d+ failed/ },
      // Accepts and never greets.
      { name: 'timeout', box: mailbox(await serve(() => {})), failure: 'timeout', says: /did not answer within 1 s/ },
    ];
    for (const c of cases) {
      const result = await testImapConnection(c.box, c.timeoutMs ?? 1_000);
      assert.equal(result.failure ?? 'none', c.failure, `${c.name}: ${result.message}`);
      assert.equal(result.ok, c.failure === 'none', c.name);
      assert.match(result.message, c.says, c.name);
      assert.ok(!result.message.includes(SECRET) && !result.message.includes('OpenSSH'), `${c.name} repeats the server: ${result.message}`);
      assert.ok(!result.message.includes(c.box.password), `${c.name} shows the password`);
    }
  });
});
