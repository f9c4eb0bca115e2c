import fs from 'node:fs';
import os from 'node:os';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { AppError } from '../../platform/errors.js';
import type { AddressesService } from './addresses.service.js';
import type { InboundService } from './inbound.service.js';

export type SmtpListenerOptions = { port: number; host: string; maxBytes: number; tlsKeyFile?: string; tlsCertFile?: string };
export type SmtpListener = { port: number; close: () => Promise<void> };

/** An SMTP error reply: smtp-server sends `responseCode` and the message as the reply line. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The built-in SMTP door. It is not a relay: recipients Lifeline does not serve are refused at RCPT. A message
 * is answered 250 only after `inbound.accept` stored it durably (file flushed, row committed); a storage failure
 * answers 451, so the sending server keeps the message and tries again.
 */
export async function startSmtpListener(inbound: InboundService, addresses: AddressesService, opts: SmtpListenerOptions): Promise<SmtpListener> {
  const tls = opts.tlsKeyFile && opts.tlsCertFile ? { key: fs.readFileSync(opts.tlsKeyFile), cert: fs.readFileSync(opts.tlsCertFile) } : undefined;
  const server = new SMTPServer({
    name: os.hostname(),
    banner: 'Lifeline support desk',
    logger: false,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    size: opts.maxBytes,
    // Slow or stuck clients are dropped rather than holding a connection forever.
    socketTimeout: 60_000,
    closeTimeout: 5_000,

    onRcptTo(address, _session, callback) {
      addresses.served(address.address).then(
        (served) => callback(served ? null : reply(550, `5.1.1 <${address.address}>: no such mailbox here; this server does not relay`)),
        () => callback(reply(451, '4.3.0 Temporary lookup failure, try again later')),
      );
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is read and dropped, so memory stays bounded.
        if (size <= opts.maxBytes) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(reply(451, `4.3.0 ${err.message}`)));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > opts.maxBytes) {
          callback(reply(552, `5.3.4 Message too big: the limit is ${opts.maxBytes} bytes`));
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        inbound
          .accept(Buffer.concat(chunks), {
            source: 'smtp',
            // `<>` (a bounce) arrives as an empty address.
            envelopeFrom: mailFrom ? mailFrom.address : null,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          })
          .then(
            (accepted) => callback(null, `2.0.0 Stored as ${accepted.id}${accepted.duplicate ? ' (duplicate, already stored)' : ''}`),
            (err) => {
              if (err instanceof AppError && err.code === 'INVALID_EMAIL') callback(reply(554, `5.6.0 ${err.message}`));
              else if (err instanceof AppError && err.code === 'ADDRESS_NOT_SERVED') callback(reply(550, `5.1.1 ${err.message}`));
              else callback(reply(451, '4.3.0 Could not store the message; try again later'));
            },
          );
      });
    },
  });
  server.on('error', () => {
    // Per-connection errors (a client that vanished) are not the server's; smtp-server logs nothing with logger off.
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
