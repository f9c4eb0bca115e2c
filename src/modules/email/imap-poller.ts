import { ImapFlow } from 'imapflow';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { connectionHealth } from '../channels/channels.service.js';
import type { AddressesService, Mailbox } from './addresses.service.js';
import { SecretUnreadable } from '../../platform/secrets.js';
import type { InboundService } from './inbound.service.js';

const MAX_BACKOFF_MS = 5 * 60_000;

/** Delay before reconnect n: 2 s, 4 s, 8 s … capped at five minutes. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

export function imapClient(m: Mailbox): ImapFlow {
  return new ImapFlow({
    host: m.host,
    port: m.port,
    secure: m.secure,
    auth: { user: m.username, pass: m.password },
    tls: { rejectUnauthorized: m.tlsVerify },
    logger: false,
    // IDLE a second after the last command (imapflow waits 15 s by default), so new mail arrives at once.
    autoIdleDelay: 1000,
  });
}

/** Why connecting to a mailbox failed, as far as an admin needs to know to fix it. */
export const IMAP_FAILURES = ['dns', 'refused', 'unreachable', 'timeout', 'tls', 'auth', 'folder', 'not_imap'] as const;
export type ImapFailure = (typeof IMAP_FAILURES)[number];

const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET_ISSUER)|HOSTNAME_MISMATCH)/;

/** The class of a connection failure, from the error's code and flags (its text is read, never repeated). */
export function imapFailureOf(err: unknown, stage: 'connect' | 'folder'): ImapFailure {
  const e = (err ?? {}) as { authenticationFailed?: boolean; code?: string; message?: string; library?: string; reason?: string };
  const code = e.code ?? '';
  if (e.authenticationFailed) return 'auth';
  if (stage === 'folder') return 'folder';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  if (code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'ETIMEOUT' || /timed? ?out/i.test(e.message ?? '')) return 'timeout';
  if (TLS_CODES.test(code) || e.library === 'SSL routines' || /certificate|self[- ]signed|\bTLS\b|\bSSL\b|wrong version number/i.test(e.message ?? '')) return 'tls';
  return 'not_imap';
}

/**
 * A fixed sentence per failure class. Nothing the server or the network said is repeated: an admin can point a
 * mailbox at any host, and echoing what answered (a banner, an error page, a path in a NO response) would turn
 * "Test the connection" into a way to read internal services.
 */
export function imapFailureMessage(kind: ImapFailure, m: Pick<Mailbox, 'host' | 'port' | 'username' | 'folder'>, timeoutMs?: number): string {
  const where = `${m.host}:${m.port}`;
  switch (kind) {
    case 'dns':
      return `The host ${m.host} was not found: check its name.`;
    case 'refused':
      return `Nothing accepts connections at ${where}: check the host and port.`;
    case 'unreachable':
      return `${where} cannot be reached from this server: check the host and the network between them.`;
    case 'timeout':
      return `${where} did not answer ${timeoutMs ? `within ${Math.round(timeoutMs / 1000)} s` : 'in time'}.`;
    case 'tls':
      return `The secure connection to ${where} failed: check "secure" (port 993 is usually secure, 143 not) and "verify the certificate".`;
    case 'auth':
      return `${where} refused the username or password for ${m.username}.`;
    case 'folder':
      return `Signed in, but the folder ${m.folder} could not be opened: check its name (most servers tell case apart).`;
    case 'not_imap':
      return `${where} did not answer as an IMAP server does: check the host, the port and "secure".`;
    default:
      return kind satisfies never;
  }
}

/**
 * "Test the connection" in Admin: connect, sign in and open the folder, read-only, then sign out. Never throws for
 * the server's reasons: the outcome is one fixed sentence per failure class (`imapFailureMessage`), so neither the
 * password nor anything the far end said is echoed.
 */
export async function testImapConnection(m: Mailbox, timeoutMs = 10_000): Promise<{ ok: boolean; message: string; messages: number | null; failure: ImapFailure | null }> {
  const client = new ImapFlow({
    host: m.host,
    port: m.port,
    secure: m.secure,
    auth: { user: m.username, pass: m.password },
    tls: { rejectUnauthorized: m.tlsVerify },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  client.on('error', () => {});
  let stage: 'connect' | 'folder' = 'connect';
  try {
    await client.connect();
    stage = 'folder';
    const box = await client.mailboxOpen(m.folder, { readOnly: true });
    return { ok: true, message: `Connected and signed in as ${m.username}; ${m.folder} holds ${box.exists} message(s).`, messages: box.exists, failure: null };
  } catch (err) {
    const failure = imapFailureOf(err, stage);
    return { ok: false, message: imapFailureMessage(failure, m, timeoutMs).slice(0, 500), messages: null, failure };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * One pass over a mailbox: every message with a uid above the cursor is stored (inbound.accept), then flagged,
 * moved or deleted, then the cursor advances, in that order, so a crash at any point re-reads a message rather
 * than losing it (a re-read is a duplicate, and duplicates are dropped on store). A new UIDVALIDITY means the
 * server renumbered the folder: the cursor restarts from zero.
 */
export async function syncMailbox(ctx: Ctx, inbound: InboundService, mailbox: Mailbox, client: ImapFlow): Promise<{ stored: number; skipped: string[] }> {
  const box = await client.mailboxOpen(mailbox.folder);
  const validity = Number(box.uidValidity);
  let lastUid = mailbox.uidValidity === validity ? mailbox.lastUid : 0;
  if (mailbox.uidValidity !== validity) {
    await connectionHealth.cursor(ctx, mailbox.id, { uidValidity: validity, lastUid: 0 });
  }
  const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
  // `n:*` always matches the newest message, even below n.
  const uids = found.filter((u) => u > lastUid).sort((a, b) => a - b);
  let stored = 0;
  const skipped: string[] = [];
  for (const uid of uids) {
    const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
    const source = message === false ? undefined : message?.source;
    if (source) {
      try {
        await inbound.accept(source, { source: 'imap', mailboxId: mailbox.id, addressId: mailbox.addressId, envelopeTo: [] });
        stored++;
      } catch (err) {
        // A message that can never be stored (empty) is reported and passed over; a storage failure stops the
        // pass with the message untouched on the server.
        if (!(err instanceof AppError)) throw err;
        skipped.push(`uid ${uid}: ${err.message}`);
      }
    }
    if (mailbox.afterStore === 'move' && mailbox.moveTo) await client.messageMove(String(uid), mailbox.moveTo, { uid: true });
    else if (mailbox.afterStore === 'delete') await client.messageDelete(String(uid), { uid: true });
    else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    lastUid = uid;
    await connectionHealth.cursor(ctx, mailbox.id, { uidValidity: validity, lastUid });
  }
  await connectionHealth.success(ctx, mailbox.id, skipped.length ? `Skipped ${skipped.length} message(s): ${skipped.join('; ')}` : undefined);
  return { stored, skipped };
}

/**
 * Keeps one mailbox in sync: connect, sync, then wait in IDLE for new mail (or poll every `pollMs` when the
 * server has no IDLE), and reconnect with backoff after any error. Its state is written where admins see it.
 */
export class MailboxPoller {
  private stopped = false;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly addresses: AddressesService,
    private readonly inbound: InboundService,
    readonly mailboxId: string,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.client?.logout().catch(() => {});
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      // Until signed in, a failure is the far end's (its words are not stored: `imapFailureMessage`); after, ours.
      let signedIn = false;
      let where: Mailbox | undefined;
      try {
        // A password that does not decrypt has marked the mailbox failed with the reason: no retry can fix it.
        const mailbox = await this.addresses.getMailbox(this.mailboxId).catch(() => undefined);
        where = mailbox;
        if (!mailbox?.active || mailbox.status === 'failed') return;
        const client = imapClient(mailbox);
        this.client = client;
        client.on('exists', () => this.wake?.());
        client.on('error', () => {});
        await client.connect();
        signedIn = true;
        await this.addresses.channels.setSyncState(this.mailboxId, 'connected');
        failures = 0;
        while (!this.stopped && client.usable) {
          const current = await this.addresses.getMailbox(this.mailboxId);
          await syncMailbox(this.ctx, this.inbound, current, client);
          // imapflow IDLEs on its own while no command runs; an EXISTS during IDLE wakes us early.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } catch (err) {
        if (err instanceof SecretUnreadable) return;
        failures++;
        const reason = !signedIn && where ? imapFailureMessage(imapFailureOf(err, 'connect'), where) : (err as Error).message;
        await this.addresses.channels.recordFailure(this.mailboxId, reason).catch(() => {});
        if (!this.stopped) await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, reconnectDelayMs(failures));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      } finally {
        await this.client?.logout().catch(() => {});
        this.client = undefined;
        await this.addresses.channels.setSyncState(this.mailboxId, 'idle').catch(() => {});
      }
    }
  }
}

/** The pollers of this process, one per active mailbox; `refresh` after an admin changes mailboxes. */
export class ImapPollers {
  private readonly pollers = new Map<string, MailboxPoller>();
  private running = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly addresses: AddressesService,
    private readonly inbound: InboundService,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.running) return;
    for (const poller of this.pollers.values()) await poller.stop();
    this.pollers.clear();
    for (const m of await this.addresses.listMailboxes()) {
      if (!m.active || m.status === 'failed') continue;
      const poller = new MailboxPoller(this.ctx, this.addresses, this.inbound, m.id, this.ctx.config.imapPollMs);
      this.pollers.set(m.id, poller);
      poller.start();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const poller of this.pollers.values()) await poller.stop();
    this.pollers.clear();
  }
}
