import type { Database } from '../db/client.js';
import type { Actor } from './auth.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';

/**
 * One LISTEN connection per process, fanned out to every open stream. Changes made by any process reach every
 * process's subscribers, because NOTIFY goes through Postgres.
 */
export class LiveHub<T> {
  private readonly subscribers = new Set<(payload: T) => void>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly channel: string,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(this.channel, (raw) => {
      let payload: T;
      try {
        payload = JSON.parse(raw) as T;
      } catch {
        return;
      }
      for (const fn of this.subscribers) fn(payload);
    });
  }

  subscribe(fn: (payload: T) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.subscribers.clear();
  }
}

/**
 * Payload-free "re-read X" signals any module raises in this process (usually on a cache invalidation, which every
 * process sees through NOTIFY); the app's one stream (GET /api/v1/stream) carries them to staff as events named so.
 * One stream per tab, one pool, one per-process cap — not a stream per feature.
 */
export class LiveSignals {
  private readonly subscribers = new Set<(name: string) => void>();

  emit(name: string): void {
    for (const fn of this.subscribers) fn(name);
  }

  subscribe(fn: (name: string) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}

export type StreamCredentials = { sessionToken?: string; bearer?: string };
export type StreamLimits = {
  /** Open streams per user; opening one more closes that user's oldest. */
  perUser: number;
  /** Open streams per process; past it a new stream is refused with 503 and Retry-After. */
  perProcess: number;
  /** How often every stream's credentials are checked again (besides at once on every `recheckAll`). 0: never. */
  recheckMs: number;
};
type Sink = { write(text: string): void; end(): void };

/** One open server-sent-event stream: its caller as last resolved, and an ordered queue of work for it. */
export class LiveStream {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** The id of the last event written, so catch-up and live delivery never send one twice. */
  lastEventId = 0;

  constructor(
    readonly userId: string,
    readonly credentialKey: string,
    /** The caller as of the last check: visibility is decided with this, never with the actor of the request that opened the stream. */
    public actor: Actor,
    private readonly sink: Sink,
    private readonly onClosed: (stream: LiveStream) => void,
  ) {}

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Runs `fn` after everything queued before it, with the actor current when it runs; nothing once closed. */
  enqueue(fn: (actor: Actor) => unknown): void {
    this.chain = this.chain
      .then(async () => {
        if (!this.closed) await fn(this.actor);
      })
      .catch(() => {});
  }

  /** Writes an event (`json`: its data, serialised once for every stream) unless this id or a later one was written already. */
  event(id: number, name: string, json: string): void {
    if (this.closed || id <= this.lastEventId) return;
    this.lastEventId = id;
    this.sink.write(`id: ${id}\nevent: ${name}\ndata: ${json}\n\n`);
  }

  /**
   * Writes an event without an id: a signal is not part of the ticket event sequence, so it must not move the
   * EventSource's Last-Event-ID (a reconnect resumes ticket events from it).
   */
  signal(name: string, json: string): void {
    if (!this.closed) this.sink.write(`event: ${name}\ndata: ${json}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.sink.write(`: ${text}\n\n`);
  }

  /**
   * Ends the stream. With a reason, the client gets a last `closed` event naming it (and, for `retryMs`, a hint
   * to its EventSource to wait that long before reconnecting).
   */
  close(reason?: string, retryMs?: number): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (reason) this.sink.write(`${retryMs ? `retry: ${retryMs}\n` : ''}event: closed\ndata: ${JSON.stringify({ reason })}\n\n`);
      this.sink.end();
    } catch {}
    this.onClosed(this);
  }
}

type CredentialGroup = { credentials: StreamCredentials; streams: Set<LiveStream>; checking: Promise<void> | undefined; again: boolean };

// At most this many credential look-ups at once when every stream is re-checked (a sign-out anywhere does that).
const RECHECK_CONCURRENCY = 8;
// The evicted stream's EventSource waits this long before reconnecting, so two tabs over the cap do not take turns
// closing each other every few seconds.
const EVICTED_RETRY_MS = 5 * 60_000;

/**
 * The open live streams of this process: caps per user and per process, and the re-check of every stream's
 * credentials (on an interval, and at once when `recheckAll` is called on a cache invalidation: sign-out,
 * deactivation, role or organisation change, token revoked, in any process). A stream whose credentials no longer
 * resolve is closed; one whose user changed carries on as the changed user.
 */
export class LiveStreams {
  private readonly open = new Set<LiveStream>();
  private readonly byUser = new Map<string, LiveStream[]>();
  private readonly byCredential = new Map<string, CredentialGroup>();
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly resolve: (credentials: StreamCredentials) => Promise<Actor | null>,
    private readonly limits: StreamLimits,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Refuses a new stream when this process holds as many as it may (before the response starts). */
  admit(): void {
    if (this.open.size >= this.limits.perProcess) {
      throw new AppError('TOO_MANY_STREAMS', `This server holds ${this.limits.perProcess} live streams, its limit; retry later`, { extra: { retryAfterSeconds: 30 } });
    }
  }

  /** Registers a stream whose response has started. The user's oldest streams are closed past the per-user cap. */
  add(credentials: StreamCredentials, actor: Actor, sink: Sink): LiveStream {
    this.admit();
    const key = credentialKey(credentials);
    const stream = new LiveStream(actor.userId, key, actor, sink, (s) => this.remove(s));
    const mine = this.byUser.get(actor.userId) ?? [];
    while (mine.length >= this.limits.perUser) mine[0]?.close('TOO_MANY_STREAMS', EVICTED_RETRY_MS);
    mine.push(stream);
    this.byUser.set(actor.userId, mine);
    this.open.add(stream);
    let group = this.byCredential.get(key);
    if (!group) {
      group = { credentials, streams: new Set(), checking: undefined, again: false };
      this.byCredential.set(key, group);
    }
    group.streams.add(stream);
    if (!this.timer && this.limits.recheckMs > 0) {
      this.timer = setInterval(() => void this.recheckAll(), this.limits.recheckMs);
      this.timer.unref();
    }
    return stream;
  }

  /** Hands `fn` every open stream (it usually enqueues work on it). */
  forEach(fn: (stream: LiveStream) => void): void {
    for (const s of this.open) fn(s);
  }

  /**
   * Resolves every stream's credentials again, once per distinct credential. Work queued on a stream after this
   * call waits for its check, so nothing is delivered to a stream under an actor that has just changed.
   */
  recheckAll(): Promise<void> {
    return Promise.all([...this.byCredential.values()].map((g) => this.recheck(g))).then(() => {});
  }

  closeAll(reason: string): void {
    for (const s of [...this.open]) s.close(reason);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private recheck(g: CredentialGroup): Promise<void> {
    if (g.checking !== undefined) {
      g.again = true;
      return g.checking;
    }
    const checking = (async () => {
      do {
        g.again = false;
        let actor: Actor | null | undefined;
        await this.slot();
        try {
          actor = await this.resolve(g.credentials);
        } catch (err) {
          // Refused (a revoked token) ends the stream; a failure to ask (the database is down) keeps it until the next check.
          actor = err instanceof AppError ? null : undefined;
        } finally {
          this.release();
        }
        for (const s of [...g.streams]) {
          if (actor === null) s.close('UNAUTHENTICATED');
          else if (actor) s.actor = actor;
        }
      } while (g.again && g.streams.size);
    })().finally(() => {
      g.checking = undefined;
    });
    g.checking = checking;
    for (const s of g.streams) s.enqueue(() => checking);
    return checking;
  }

  private async slot(): Promise<void> {
    if (this.running < RECHECK_CONCURRENCY) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private remove(s: LiveStream): void {
    this.open.delete(s);
    const mine = this.byUser.get(s.userId);
    if (mine) {
      const i = mine.indexOf(s);
      if (i >= 0) mine.splice(i, 1);
      if (!mine.length) this.byUser.delete(s.userId);
    }
    const group = this.byCredential.get(s.credentialKey);
    if (group) {
      group.streams.delete(s);
      if (!group.streams.size) this.byCredential.delete(s.credentialKey);
    }
    if (!this.open.size) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

function credentialKey(c: StreamCredentials): string {
  return c.bearer ? `b:${sha256(c.bearer)}` : `s:${sha256(c.sessionToken ?? '')}`;
}
