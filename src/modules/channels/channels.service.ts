import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { isSealed, type Secrets, SecretUnreadable } from '../../platform/secrets.js';
import { type ChannelKind, type ConnectionStatus, channelConnections } from './channels.schema.js';

export type Connection = typeof channelConnections.$inferSelect;

/** What admins see of a connection's health: never its secrets. */
export type ConnectionHealth = Pick<
  Connection,
  'id' | 'kind' | 'name' | 'status' | 'syncState' | 'lastSuccessAt' | 'lastError' | 'lastErrorAt' | 'failureCount' | 'createdAt' | 'updatedAt'
>;

export function healthOf(c: Connection): ConnectionHealth {
  const { config: _config, secrets: _secrets, cursor: _cursor, ...rest } = c;
  return rest;
}

/**
 * Channel connections: one row per inbound connection of any kind, its secrets sealed with the process's key. A
 * channel's own code (email/addresses.service.ts for IMAP) shapes `config`, `secrets` and `cursor`; this service
 * stores them, opens the secrets, and keeps the health admins see. A secret that does not decrypt marks the
 * connection `failed` with the reason: retrying cannot fix it, so its poller stops until an admin changes it.
 */
export class ChannelsService {
  constructor(
    private readonly ctx: Ctx,
    readonly secrets: Secrets,
  ) {}

  list(kind?: ChannelKind, ex: Executor = this.ctx.db): Promise<Connection[]> {
    const q = ex.select().from(channelConnections);
    return (kind ? q.where(eq(channelConnections.kind, kind)) : q).orderBy(asc(channelConnections.createdAt), asc(channelConnections.id));
  }

  async find(id: string, kind?: ChannelKind, ex: Executor = this.ctx.db): Promise<Connection | undefined> {
    const [row] = await ex.select().from(channelConnections).where(eq(channelConnections.id, id));
    return row && (!kind || row.kind === kind) ? row : undefined;
  }

  async create(
    input: { kind: ChannelKind; name: string; config: Record<string, unknown>; secrets: Record<string, unknown>; cursor?: Record<string, unknown>; status?: ConnectionStatus },
    ex: Executor = this.ctx.db,
  ): Promise<Connection> {
    const now = this.ctx.clock.now();
    const [row] = await ex
      .insert(channelConnections)
      .values({
        kind: input.kind,
        name: input.name,
        config: input.config,
        secrets: this.secrets.seal(input.secrets),
        cursor: input.cursor ?? {},
        status: input.status ?? 'active',
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return row as Connection;
  }

  /** Changes what an admin edits; new secrets are sealed, and any change lifts a `failed` mark (the next try says). */
  async update(
    id: string,
    patch: { name?: string; config?: Record<string, unknown>; secrets?: Record<string, unknown>; cursor?: Record<string, unknown>; status?: ConnectionStatus },
    ex: Executor = this.ctx.db,
  ): Promise<Connection> {
    const { secrets, ...rest } = patch;
    const [row] = await ex
      .update(channelConnections)
      .set({
        ...rest,
        ...(secrets ? { secrets: this.secrets.seal(secrets) } : {}),
        status: sql`case when ${patch.status ?? null}::text is not null then ${patch.status ?? null}::text when ${channelConnections.status} = 'failed' then 'active' else ${channelConnections.status} end`,
        updatedAt: this.ctx.clock.now(),
      })
      .where(eq(channelConnections.id, id))
      .returning();
    if (!row) throw new AppError('NOT_FOUND', `No connection with id ${id}`);
    return row;
  }

  async remove(id: string, ex: Executor = this.ctx.db): Promise<void> {
    await ex.delete(channelConnections).where(eq(channelConnections.id, id));
  }

  /**
   * The connection's secrets in the clear, for the channel that uses them now. A secret that cannot be opened marks
   * the connection failed with the reason (once) and throws SecretUnreadable.
   */
  async openSecrets<T extends Record<string, unknown>>(c: Connection): Promise<T> {
    // Copied in the clear by a migration and not sealed yet (a process that has not run sealPending): seal it now.
    if (!isSealed(c.secrets) && typeof (c.secrets as { plain?: unknown }).plain === 'object') {
      await this.sealPending();
      const [row] = await this.ctx.db.select().from(channelConnections).where(eq(channelConnections.id, c.id));
      if (row) c = row;
    }
    try {
      return this.secrets.open<T>(c.secrets);
    } catch (err) {
      if (err instanceof SecretUnreadable) await this.markFailed(c.id, `Cannot decrypt the stored secret: ${err.message}`);
      throw err;
    }
  }

  /** Stops a connection for a reason retrying cannot fix; it stays failed until an admin changes it. */
  async markFailed(id: string, reason: string): Promise<void> {
    await this.ctx.db
      .update(channelConnections)
      .set({ status: 'failed', syncState: 'idle', lastError: reason.slice(0, 2000), lastErrorAt: this.ctx.clock.now(), failureCount: sql`${channelConnections.failureCount} + 1` })
      .where(eq(channelConnections.id, id));
  }

  recordFailure(id: string, message: string): Promise<void> {
    return connectionHealth.failure(this.ctx, id, message);
  }

  recordSuccess(id: string, note?: string): Promise<void> {
    return connectionHealth.success(this.ctx, id, note);
  }

  setSyncState(id: string, syncState: 'connected' | 'idle'): Promise<void> {
    return connectionHealth.syncState(this.ctx, id, syncState);
  }

  setCursor(id: string, cursor: Record<string, unknown>): Promise<void> {
    return connectionHealth.cursor(this.ctx, id, cursor);
  }

  /**
   * Seals secrets a migration could only copy in the clear (`{ plain: … }`, from the old IMAP mailboxes table).
   * Run at start-up before any channel reads its connections; idempotent.
   */
  async sealPending(): Promise<number> {
    const rows = await this.ctx.db.select().from(channelConnections).where(sql`not (${channelConnections.secrets} ? 'ct')`);
    let sealed = 0;
    for (const row of rows) {
      if (isSealed(row.secrets)) continue;
      const plain = (row.secrets as { plain?: Record<string, unknown> }).plain ?? {};
      await this.ctx.db
        .update(channelConnections)
        .set({ secrets: this.secrets.seal(plain) })
        .where(sql`${channelConnections.id} = ${row.id} and not (${channelConnections.secrets} ? 'ct')`);
      sealed++;
    }
    return sealed;
  }
}

/** A channel's sync writes (no secrets involved), callable with only the context. */
export const connectionHealth = {
  /** A transient failure (network, credentials): counted and shown; the channel retries with backoff. */
  async failure(ctx: Ctx, id: string, message: string): Promise<void> {
    await ctx.db
      .update(channelConnections)
      .set({ syncState: 'idle', lastError: message.slice(0, 2000), lastErrorAt: ctx.clock.now(), failureCount: sql`${channelConnections.failureCount} + 1` })
      .where(eq(channelConnections.id, id));
  },
  /** A completed sync: the failure count restarts; `lastError` is replaced only when the pass has something to say. */
  async success(ctx: Ctx, id: string, note?: string): Promise<void> {
    const now = ctx.clock.now();
    await ctx.db
      .update(channelConnections)
      .set({ lastSuccessAt: now, failureCount: 0, ...(note ? { lastError: note.slice(0, 2000), lastErrorAt: now } : {}) })
      .where(eq(channelConnections.id, id));
  },
  async syncState(ctx: Ctx, id: string, syncState: 'connected' | 'idle'): Promise<void> {
    await ctx.db.update(channelConnections).set({ syncState }).where(eq(channelConnections.id, id));
  },
  async cursor(ctx: Ctx, id: string, cursor: Record<string, unknown>): Promise<void> {
    await ctx.db.update(channelConnections).set({ cursor }).where(eq(channelConnections.id, id));
  },
};
