import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';

const CHANNEL = 'lifeline_cache';

/**
 * Small, rarely-changing data (states, priorities, types, field definitions) read on every ticket command.
 * Each process keeps a copy; a write clears it here at once and, through NOTIFY, in every other process.
 */
export class CacheHub {
  private readonly caches = new Map<string, { clear: () => void }>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    if (this.unlisten) return;
    this.unlisten = await this.database.listen(
      CHANNEL,
      (name) => {
        this.caches.get(name)?.clear();
        this.cleared(name);
      },
      // Back after a dropped connection: any invalidation may have been missed, so everything is cleared (and
      // live streams re-check their callers: a sign-out meanwhile must still end them).
      () => {
        for (const [name, cache] of this.caches) {
          cache.clear();
          this.cleared(name);
        }
      },
    );
  }

  /**
   * Calls `fn` whenever the cache `name` is invalidated, by this process or (through NOTIFY) another, after the
   * copy here is cleared: for what must act on the change itself (live streams re-check who their caller is).
   */
  onInvalidate(name: string, fn: () => void): () => void {
    const set = this.watchers.get(name) ?? new Set();
    set.add(fn);
    this.watchers.set(name, set);
    return () => set.delete(fn);
  }

  private cleared(name: string): void {
    for (const fn of this.watchers.get(name) ?? []) fn();
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  /** A map of small values with a time-to-live, cleared whole on `invalidate` (here and in every process). */
  keyed<V>(name: string, ttlMs: number, now: () => number): KeyedCache<V> {
    const cache: KeyedCache<V> = new KeyedCache<V>(ttlMs, now, async () => {
      cache.clear();
      this.cleared(name);
      await this.database.db.execute(sql`select pg_notify(${CHANNEL}, ${name})`);
    });
    this.caches.set(name, cache);
    return cache;
  }

  cached<T>(name: string, load: (ex: Executor) => Promise<T>): Cached<T> {
    const cache = new Cached(load, this.database.db, async () => {
      cache.clear();
      this.cleared(name);
      await this.database.db.execute(sql`select pg_notify(${CHANNEL}, ${name})`);
    });
    this.caches.set(name, cache);
    return cache;
  }
}

export class Cached<T> {
  private value: Promise<T> | undefined;
  // Bumped on clear, so a load that started before a change never overwrites the fresh state.
  private generation = 0;

  constructor(
    private readonly load: (ex: Executor) => Promise<T>,
    private readonly db: Executor,
    /** Clears this process's copy and tells the others. Call after committing a change. */
    readonly invalidate: () => Promise<void>,
  ) {}

  /**
   * The cached value, loading it through `ex` when missing. Pass the open transaction when there is one:
   * embedded PGlite has one connection, so a load outside the transaction would wait for it forever.
   */
  get(ex: Executor = this.db): Promise<T> {
    if (!this.value) {
      const gen = this.generation;
      // Promise.resolve runs a lazy query builder once; storing the builder itself would re-run it on every await.
      const loading = Promise.resolve(this.load(ex));
      this.value = loading;
      loading.catch(() => {
        if (this.generation === gen) this.value = undefined;
      });
    }
    return this.value;
  }

  clear(): void {
    this.generation++;
    this.value = undefined;
  }
}

export class KeyedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private static readonly MAX = 10_000;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Clears this process's entries and tells the others. Call after committing a change. */
    readonly invalidate: () => Promise<void>,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    // A crude bound: plenty for live sessions and tokens, and a flood of bad keys cannot grow it without limit.
    if (this.entries.size >= KeyedCache.MAX) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
