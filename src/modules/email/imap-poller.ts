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

/**
 * "Test the connection" in Admin: connect, sign in and open the folder, read-only, then sign out. Never throws for
 * the server's reasons: the outcome is said in words an admin can act on (the password itself is never echoed).
 */
export async function testImapConnection(m: Mailbox, timeoutMs = 10_000): Promise<{ ok: boolean; message: string; messages: number | null }> {
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
  let stage = 'connect';
  try {
    await client.connect();
    stage = 'folder';
    const box = await client.mailboxOpen(m.folder, { readOnly: true });
    return { ok: true, message: `Connected and signed in as ${m.username}; ${m.folder} holds ${box.exists} message(s).`, messages: box.exists };
  } catch (err) {
    const e = err as Error & { authenticationFailed?: boolean; code?: string; responseText?: string };
    const where = `${m.host}:${m.port}`;
    let message: string;
    if (e.authenticationFailed) message = `${where} refused the username or password for ${m.username}.`;
    else if (stage === 'folder') message = `Signed in, but the folder ${m.folder} could not be opened${e.responseText ? ` (${e.responseText})` : ''}.`;
    else if (e.code === 'ECONNREFUSED') message = `Nothing accepts connections at ${where}: check the host and port.`;
    else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') message = `The host ${m.host} was not found.`;
    else if (e.code === 'ETIMEDOUT' || e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT' || /timed? ?out/i.test(e.message)) message = `${where} did not answer within ${Math.round(timeoutMs / 1000)} s.`;
    else if (/certificate|self[- ]signed|TLS|SSL|wrong version/i.test(`${e.code ?? ''} ${e.message}`)) message = `The secure connection to ${where} failed (${e.message}); check "secure" and "verify the certificate".`;
    else message = `Could not connect to ${where}: ${e.message}`;
    return { ok: false, message: message.slice(0, 500), messages: null };
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
      try {
        // A password that does not decrypt has marked the mailbox failed with the reason: no retry can fix it.
        const mailbox = await this.addresses.getMailbox(this.mailboxId).catch(() => undefined);
        if (!mailbox?.active || mailbox.status === 'failed') return;
        const client = imapClient(mailbox);
        this.client = client;
        client.on('exists', () => this.wake?.());
        client.on('error', () => {});
        await client.connect();
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
        await this.addresses.channels.recordFailure(this.mailboxId, (err as Error).message).catch(() => {});
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
