import type { Database } from '../db/client.js';

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
