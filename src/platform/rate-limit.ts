import { clientKey } from './client-key.js';

/**
 * Counts requests per client (an IPv4 address, an IPv6 /64: `clientKey`) in fixed windows, in this process's
 * memory. The map is capped: once `maxClients` clients are counted in one window, a client not yet counted is
 * `full` (the caller decides whether that fails open or closed). Everything is forgotten when the window ends.
 */
export class WindowLimiter {
  private counts = new Map<string, number>();
  private windowStart = 0;

  constructor(
    private readonly opts: { limit: number; windowMs: number; maxClients: number; now: () => number },
  ) {}

  /** Counts one request of `address`: `ok`, `limited` (over the limit; retry after `retryAfterS`), or `full`. */
  hit(address: string): { result: 'ok' | 'limited' | 'full'; retryAfterS: number } {
    const now = this.opts.now();
    if (now - this.windowStart >= this.opts.windowMs || now < this.windowStart) {
      this.counts = new Map();
      this.windowStart = now;
    }
    const retryAfterS = Math.max(1, Math.ceil((this.windowStart + this.opts.windowMs - now) / 1000));
    const key = clientKey(address);
    const n = this.counts.get(key);
    if (n === undefined && this.counts.size >= this.opts.maxClients) return { result: 'full', retryAfterS };
    const next = (n ?? 0) + 1;
    this.counts.set(key, next);
    return { result: next > this.opts.limit ? 'limited' : 'ok', retryAfterS };
  }

  /** How many clients are counted in the current window (for tests and metrics). */
  get size(): number {
    return this.counts.size;
  }
}
