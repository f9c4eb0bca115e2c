import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type ListenLog, type ListenOptions, ReconnectingListener } from './listener.js';
import { acquireDataDirLock, type DataDirLock } from './lock.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: reads and writes take one of these. */
export type Executor = Db | Tx;

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Subscribe to a NOTIFY channel on a dedicated connection; returns an unsubscribe function. On a server, a
   * dropped connection is re-established (see listener.ts); `onResubscribe` runs then, because notifications sent
   * meanwhile were lost: the subscriber catches up (clears caches, looks for work).
   */
  listen(channel: string, onPayload: (payload: string) => void, onResubscribe?: () => void): Promise<() => Promise<void>>;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Bulk load: `data` (rows in COPY's text format, each ending in a newline) into `target` ("table (col, …)"), with
   * COPY: a fraction of the parse cost of any INSERT. Outside a transaction (it takes a connection of its own; on
   * the embedded database, the one connection).
   */
  copyIn(target: string, data: string): Promise<void>;
  /** The rows of `query` (SQL text, no parameters) in COPY's text format, read with COPY … TO: no per-row parse by the driver. Outside a transaction. */
  copyOut(query: string): Promise<string>;
  /**
   * Takes the session advisory lock `key` (its hashtext) if no other session holds it, on a connection of its own
   * kept until the returned release is called (or the process dies, which frees it); undefined when it is held. The
   * embedded database has one session, in which advisory locks nest: there, one process holds the data directory,
   * so a lock held in this process is what counts.
   */
  trySessionLock(key: string): Promise<SessionLock | undefined>;
  /** A server's connection pool right now (for /metrics); the embedded database has none. */
  pool?: () => { total: number; idle: number; waiting: number; max: number };
}

/** An advisory lock held by a session of its own (`Database.trySessionLock`). */
export interface SessionLock {
  /**
   * Whether the lock is still held. On a server the lock lives as long as its session: a session ended under the
   * holder (a restart, a killed backend, idle_session_timeout) frees it for another holder without the first knowing,
   * so work that relies on it asks before it commits.
   */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

// Extensions the migrations create; PGlite must be handed their code (a server has them installed).
const EXTENSIONS = { btree_gin, pg_trgm };

/** `holder` names the command that holds an embedded data directory, for the message another process shows. */
export type DatabaseOptions =
  | { url: string; log?: ListenLog; reconnect?: { minMs: number; maxMs: number } }
  // `from` on a data directory that does not exist yet: made from that dump (tests build their template this way).
  | { dataDir: string; holder?: string; from?: Blob }
  // `from`: a data directory dumped by `dumpEmbedded`, loaded instead of creating an empty cluster (tests use a
  // migrated one: initdb and the migrations cost ~3 s per database, loading the dump ~1 s).
  | { memory: true; from?: Blob };

/**
 * Opens the database. An embedded data directory is locked first, for as long as it is open (see lock.ts):
 * a second process gets a DataDirLockedError instead of a corrupted database. A server needs no lock.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('url' in options) return openServer(options.url, { log: options.log, ...options.reconnect });
  if ('dataDir' in options) {
    fs.mkdirSync(path.dirname(path.resolve(options.dataDir)), { recursive: true, mode: 0o700 });
    const lock = await acquireDataDirLock(options.dataDir, options.holder);
    try {
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      const client = new PGlite(options.dataDir, { extensions: EXTENSIONS, ...(options.from ? { loadDataDir: options.from } : {}) });
      await client.waitReady;
      return openEmbedded(client, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  const client = new PGlite({ extensions: EXTENSIONS, ...(options.from ? { loadDataDir: options.from } : {}) });
  await client.waitReady;
  return openEmbedded(client);
}

/** The whole data directory of an embedded database, gzipped, for `openDatabase({ memory: true, from })`. */
export async function dumpEmbedded(database: Database): Promise<Blob> {
  const client = embeddedClients.get(database);
  if (!client) throw new Error('dumpEmbedded: not an embedded database');
  return client.dumpDataDir('gzip');
}

const embeddedClients = new WeakMap<Database, PGlite>();

function openEmbedded(client: PGlite, lock?: DataDirLock): Database {
  const heldLocks = new Set<string>();
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const database: Database = {
    db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async migrate() {
      await migratePglite(db as never, { migrationsFolder });
    },
    async copyIn(target, data) {
      await client.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob([data]) });
    },
    async copyOut(query) {
      const result = await client.query(`copy (${query}) to '/dev/blob'`);
      return result.blob ? result.blob.text() : '';
    },
    async trySessionLock(key) {
      if (heldLocks.has(key)) return undefined;
      heldLocks.add(key);
      let released = false;
      return {
        held: async () => !released,
        release: async () => {
          released = true;
          heldLocks.delete(key);
        },
      };
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
  embeddedClients.set(database, client);
  return database;
}

async function openServer(url: string, listenOptions: ListenOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  // A pool error (server restart) must not crash the process; queries will surface their own errors.
  pool.on('error', () => {});
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  const listeners = new Set<ReconnectingListener>();
  return {
    db,
    kind: 'postgres',
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: 12 }),
    async listen(channel, onPayload, onResubscribe) {
      const listener = new ReconnectingListener(url, channel, onPayload, onResubscribe, listenOptions);
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async migrate() {
      await migrateNodePg(db as never, { migrationsFolder });
    },
    async copyIn(target, data) {
      const client = await pool.connect();
      let failed: Error | undefined;
      try {
        const stream = client.query(copyFrom(`copy ${target} from stdin`));
        await new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
          stream.end(data);
        });
      } catch (err) {
        failed = err as Error;
        throw err;
      } finally {
        // A connection that failed mid-COPY is closed rather than handed to the next query.
        client.release(failed);
      }
    },
    async copyOut(query) {
      const client = await pool.connect();
      let failed: Error | undefined;
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of client.query(copyTo(`copy (${query}) to stdout`))) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      } catch (err) {
        failed = err as Error;
        throw err;
      } finally {
        client.release(failed);
      }
    },
    async trySessionLock(key) {
      const client = await pool.connect();
      // The pool listens for a checked-out client's errors no more: without a listener, the session ending while
      // the lock is held (the backend killed, the server restarted) would be an unhandled 'error' that ends the process.
      let lost: Error | undefined;
      client.on('error', (err) => {
        lost = err;
      });
      try {
        const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
        if (!rows[0]?.ok) {
          client.release();
          return undefined;
        }
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      let released = false;
      return {
        // The session is alive, so it still holds the lock (a session lock ends only by unlock or with the session).
        // Asked with a deadline: a connection whose server vanished without closing it never answers.
        held: async () => {
          if (released || lost) return false;
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), 5000);
          });
          try {
            return await Promise.race([client.query('select 1').then(() => !lost), late]);
          } catch {
            return false;
          } finally {
            clearTimeout(timer);
          }
        },
        release: async () => {
          if (released) return;
          released = true;
          try {
            if (lost) throw lost;
            await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
            client.release();
          } catch (err) {
            // Closed rather than returned to the pool: the session's end frees the lock the unlock could not.
            client.release(err as Error);
          }
        },
      };
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.stop()));
      await pool.end();
    },
  };
}

/** Rows of a raw `db.execute(sql…)`: both drivers return `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
