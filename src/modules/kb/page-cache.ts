import { createHash } from 'node:crypto';
import type { Ctx } from '../../platform/context.js';
import { fillSearch, type SearchTemplate } from './help-centre.js';
import type { Suggestion } from './kb.service.js';

/** A page rendered for readers who are not signed in: the same bytes for everyone, so kept once per process. */
export type CachedPage = { html: string; etag: string; articleId?: string };

export function cachedPage(html: string, articleId?: string): CachedPage {
  return { html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 22)}"`, articleId };
}

/**
 * A search results page kept for readers who are not signed in, one per normalised query: without the query's
 * text (each reader sees their own: `searchPageFor`), with the ETag of that shared part.
 */
export type CachedSearch = { template: SearchTemplate; etag: string };

export function cachedSearch(template: SearchTemplate): CachedSearch {
  const hash = createHash('sha256');
  for (const [i, part] of template.parts.entries()) hash.update(part).update(`\u0000${template.slots[i] ?? ''}\u0000`);
  return { template, etag: hash.digest('base64url').slice(0, 22) };
}

/** The page a reader gets for their query `q`: their text in it, and an ETag of the shared page and that text. */
export function searchPageFor(s: CachedSearch, q: string): CachedPage {
  return { html: fillSearch(s.template, q), etag: `"${s.etag}.${createHash('sha256').update(q).digest('base64url').slice(0, 11)}"` };
}

/**
 * Least recently used first out, bounded both by entries and by characters (a page is 5–50 KB: the byte bound is
 * the one that holds memory; the entry bound keeps a flood of tiny "not found"-sized keys from growing the map).
 * A `Map` iterates in insertion order: a hit moves its entry to the end, eviction takes from the front.
 */
export class Lru<V> {
  private readonly entries = new Map<string, { value: V; size: number; until: number }>();
  private chars = 0;

  constructor(
    private readonly limits: { maxEntries: number; maxChars: number; ttlMs: number },
    private readonly sizeOf: (v: V) => number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.until <= this.now()) {
      this.chars -= hit.size;
      return undefined;
    }
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    const size = this.sizeOf(value) + key.length;
    // One entry bigger than the whole budget is not kept (it would evict everything else).
    if (size > this.limits.maxChars) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.chars -= old.size;
    }
    while (this.entries.size >= this.limits.maxEntries || this.chars + size > this.limits.maxChars) {
      const first = this.entries.entries().next().value;
      if (!first) break;
      this.entries.delete(first[0]);
      this.chars -= first[1].size;
    }
    this.entries.set(key, { value, size, until: this.now() + this.limits.ttlMs });
    this.chars += size;
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  get size(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.chars };
  }
}

/** Bounds of the help centre's caches per process (about 64 MB of pages and 8 MB of search results at most). */
export const PAGE_LIMITS = { maxEntries: 20_000, maxChars: 32_000_000, ttlMs: 60_000 };
export const SEARCH_LIMITS = { maxEntries: 5_000, maxChars: 4_000_000, ttlMs: 60_000 };
/** Suggestions as you type: a few hundred characters each. */
export const SUGGEST_LIMITS = { maxEntries: 10_000, maxChars: 4_000_000, ttlMs: 30_000 };

/**
 * The help centre's rendered pages for anonymous readers: articles, listings and the sitemap (`pages`), search
 * results pages (`searches`, apart so a flood of distinct queries never evicts the articles people read), and
 * suggestions as you type (`suggestions`, keyed by the normalised query).
 *
 * Any KB change readers can see (publish, unpublish, edit of a published article, visibility, translation,
 * category or section, settings) clears both, here at once and in every other process through the cache hub's
 * NOTIFY — the change signal the status page uses — so another process serves the new page as soon as the
 * notification arrives (milliseconds; after a dropped database connection the hub clears everything). The
 * 60-second TTL is only a backstop. The whole cache is cleared rather than one article's pages: listing pages,
 * related-article lists and search results all name other articles, and publishing is rare next to reading.
 *
 * `generation` closes the race of a rendering that read the database before a change and finishes after the
 * clear: it is stored only if no clear happened meanwhile.
 */
export class HelpCache {
  readonly pages: Lru<CachedPage>;
  readonly searches: Lru<CachedSearch>;
  readonly suggestions: Lru<Suggestion[]>;
  private gen = 0;
  private readonly signal;

  constructor(ctx: Ctx, limits: { pages?: typeof PAGE_LIMITS; searches?: typeof SEARCH_LIMITS; suggestions?: typeof SUGGEST_LIMITS } = {}) {
    const now = () => ctx.clock.now().getTime();
    const size = (p: CachedPage) => p.html.length + 64;
    this.pages = new Lru(limits.pages ?? PAGE_LIMITS, size, now);
    this.searches = new Lru(limits.searches ?? SEARCH_LIMITS, (p: CachedSearch) => p.template.parts.reduce((n, x) => n + x.length, 64), now);
    this.suggestions = new Lru(limits.suggestions ?? SUGGEST_LIMITS, (xs: Suggestion[]) => xs.reduce((n, x) => n + x.title.length + x.snippet.length + x.url.length + 100, 0), now);
    // Only a signal: its invalidation is what reaches every process (NOTIFY); the pages live in the LRUs.
    this.signal = ctx.cache.cached('kb-pages', async () => null);
    ctx.cache.onInvalidate('kb-pages', () => this.clear());
  }

  get generation(): number {
    return this.gen;
  }

  /** Stores a rendering begun at `generation` unless the KB changed since. */
  store<V>(lru: Lru<V>, key: string, value: V, generation: number): void {
    if (generation === this.gen) lru.set(key, value);
  }

  private clear(): void {
    this.gen++;
    this.pages.clear();
    this.searches.clear();
    this.suggestions.clear();
  }

  /** After a committed change: clears this process's pages and tells the others. */
  async invalidate(): Promise<void> {
    await this.signal.invalidate();
  }
}
