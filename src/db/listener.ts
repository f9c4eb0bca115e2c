import pg from 'pg';

/** Where a listener says that its connection dropped and came back (the process logger; stderr by default). */
export type ListenLog = { warn: (fields: object, message: string) => void; info: (fields: object, message: string) => void };

const stderrLog: ListenLog = {
  warn: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'warn', ...fields, msg: message })}\n`),
  info: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'info', ...fields, msg: message })}\n`),
};

export type ListenOptions = {
  log?: ListenLog;
  /** Backoff between reconnection attempts: from `minMs`, doubling, up to `maxMs` (with jitter). */
  minMs?: number;
  maxMs?: number;
};

/**
 * One LISTEN on its own server connection that survives the connection dropping (server restart, failover,
 * `pg_terminate_backend`, a network cut): it reconnects with backoff and LISTENs again, logging once per drop and
 * once when it is back. Notifications sent while it was away are lost (NOTIFY is not queued for absent
 * listeners), so `onResubscribe` tells the caller to catch up (clear caches, look for due jobs).
 */
export class ReconnectingListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly log: ListenLog;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onResubscribe: (() => void) | undefined,
    private readonly options: ListenOptions = {},
  ) {
    this.log = options.log ?? stderrLog;
  }

  /** The first connection: its failure is the caller's (a wrong DATABASE_URL must stop start-up, not retry). */
  async start(): Promise<void> {
    this.client = await this.connect();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    let dropped = false;
    const drop = (err?: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.warn({ channel: this.channel, err: err?.message ?? 'connection ended' }, 'LISTEN connection lost; reconnecting');
      this.schedule();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.onPayload(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replaceAll('"', '')}"`);
    } catch (err) {
      dropped = true; // a failed attempt is not a new drop: the caller decides whether to retry
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
      throw err;
    }
    return client;
  }

  private schedule(): void {
    const min = this.options.minMs ?? 200;
    const max = this.options.maxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.failures) * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      const client = await this.connect();
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.log.info({ channel: this.channel, attempts: this.failures + 1 }, 'LISTEN connection restored');
      this.failures = 0;
      this.onResubscribe?.();
    } catch {
      this.failures++;
      this.schedule();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
