import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
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
  /** Subscribe to a NOTIFY channel on a dedicated connection; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

// Extensions the migrations create; PGlite must be handed their code (a server has them installed).
const EXTENSIONS = { btree_gin };

/** `holder` names the command that holds an embedded data directory, for the message another process shows. */
export type DatabaseOptions = { url: string } | { dataDir: string; holder?: string } | { memory: true };

/**
 * Opens the database. An embedded data directory is locked first, for as long as it is open (see lock.ts):
 * a second process gets a DataDirLockedError instead of a corrupted database. A server needs no lock.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('url' in options) return openServer(options.url);
  if ('dataDir' in options) {
    fs.mkdirSync(path.dirname(path.resolve(options.dataDir)), { recursive: true, mode: 0o700 });
    const lock = await acquireDataDirLock(options.dataDir, options.holder);
    try {
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      const client = new PGlite(options.dataDir, { extensions: EXTENSIONS });
      await client.waitReady;
      return openEmbedded(client, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  return openEmbedded(new PGlite({ extensions: EXTENSIONS }));
}

function openEmbedded(client: PGlite, lock?: DataDirLock): Database {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async migrate() {
      await migratePglite(db as never, { migrationsFolder });
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openServer(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  // A pool error (server restart) must not crash the process; queries will surface their own errors.
  pool.on('error', () => {});
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  const listeners: pg.Client[] = [];
  return {
    db,
    kind: 'postgres',
    async listen(channel, onPayload) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      await client.query(`LISTEN "${channel.replaceAll('"', '')}"`);
      listeners.push(client);
      return async () => {
        listeners.splice(listeners.indexOf(client), 1);
        await client.end();
      };
    },
    async migrate() {
      await migrateNodePg(db as never, { migrationsFolder });
    },
    async close() {
      await Promise.all(listeners.map((c) => c.end()));
      await pool.end();
    },
  };
}

/** Rows of a raw `db.execute(sql…)`: both drivers return `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
