import { eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../db/client.js';
import type { Cached } from './cache.js';
import type { Ctx } from './context.js';
import { AppError, type ErrorCode, foreignKeyColumn, uniquelyNamed } from './errors.js';

/**
 * The admin-edited lists that rules and SLAs read on every command (automations, triggers, SLA policies, business
 * calendars): one small store, so each owner keeps only what differs — its checks, its hooks, its messages.
 *
 * - the whole list is cached per process (`Cached`, invalidated across processes after each write), in `order`;
 * - `get` is the list's row or NOT_FOUND ("No trigger with id …");
 * - `create`/`update` run the owner's `check` on the row as it would be (the patch over the current row), then
 *   write; a name taken (a unique index on the name) is ALREADY_EXISTS ("A trigger named … exists");
 * - `remove` deletes; with `inUse`, a row other rows point at is IN_USE with that message.
 * No version: these lists are edited by a few admins, last write wins (as before this store).
 */
export type CrudOptions<Row, Input> = {
  /** The table, its id column, and how the cached list is ordered. */
  table: PgTable;
  id: PgColumn;
  order: SQL[];
  /** The cache's name (unique across the app). */
  cache: string;
  /** "No {noun} with id …" */
  noun: string;
  /** "{named} … exists", e.g. "A trigger named". */
  named: string;
  /** Throws an AppError (a 422 naming each bad field) for a row that may not be saved. */
  check: (candidate: Input | (Row & Partial<Input>)) => Promise<void> | void;
  /** Work that must commit with an update (a job that recomputes what the row drives). */
  onUpdate?: (tx: Tx, id: string) => Promise<void>;
  /** The message of IN_USE when other rows point at the one being removed. */
  inUse?: string;
};

/** Use as a field, or extend it: a service whose list is all it keeps (triggers) gets the five methods as they are. */
export class CachedCrud<Row extends { id: string }, Input extends { name: string }> {
  private readonly all: Cached<Row[]>;

  constructor(
    protected readonly ctx: Ctx,
    private readonly o: CrudOptions<Row, Input>,
  ) {
    this.all = ctx.cache.cached(o.cache, (ex) => ex.select().from(o.table).orderBy(...o.order) as unknown as Promise<Row[]>);
  }

  /** Pass the open transaction when there is one (see Cached.get: embedded PGlite has one connection). */
  list(ex?: Executor): Promise<Row[]> {
    return this.all.get(ex);
  }

  async get(id: string, ex?: Executor): Promise<Row> {
    const found = (await this.all.get(ex)).find((x) => x.id === id);
    if (!found) throw new AppError('NOT_FOUND', `No ${this.o.noun} with id ${id}`);
    return found;
  }

  async create(input: Input): Promise<Row> {
    await this.o.check(input);
    const now = this.ctx.clock.now();
    return this.write(input.name, async () => {
      const [row] = await this.ctx.db
        .insert(this.o.table)
        .values({ ...input, createdAt: now, updatedAt: now } as never)
        .returning();
      return row as unknown as Row;
    });
  }

  async update(id: string, patch: Partial<Input>): Promise<Row> {
    const current = await this.get(id);
    await this.o.check({ ...current, ...patch });
    const write = async (ex: Executor) => {
      const [row] = await ex
        .update(this.o.table)
        .set({ ...patch, updatedAt: this.ctx.clock.now() } as never)
        .where(eq(this.o.id, id))
        .returning();
      return row as unknown as Row;
    };
    const { onUpdate } = this.o;
    return this.write(patch.name, () =>
      onUpdate
        ? this.ctx.db.transaction(async (tx) => {
            await onUpdate(tx, id);
            return write(tx);
          })
        : write(this.ctx.db),
    );
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    try {
      await this.ctx.db.delete(this.o.table).where(eq(this.o.id, id));
    } catch (err) {
      if (this.o.inUse && foreignKeyColumn(err)) throw new AppError('IN_USE', this.o.inUse);
      throw err;
    }
    await this.all.invalidate();
  }

  private async write(name: string | undefined, run: () => Promise<Row>): Promise<Row> {
    const row = await uniquelyNamed(`${this.o.named} ${name}`, run);
    await this.all.invalidate();
    return row;
  }
}

/** A check's problems as the one error a client sees: `The trigger is not valid: body.x: …; body.y: …` (422). */
export function refuseProblems(code: ErrorCode, what: string, problems: { path: string; message: string }[]): void {
  if (problems.length) {
    throw new AppError(code, `${what} is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { fields: problems });
  }
}
