import path from 'node:path';
import type { Config } from '../config.js';
import { createLogger } from '../platform/log.js';
import { type Database, openDatabase } from './client.js';

/** Where the embedded database lives under DATA_DIR; its lock is `<this>.lock` beside it (see lock.ts). */
export const embeddedDir = (config: Config) => path.join(config.dataDir, 'pglite');

/**
 * The database the configuration names: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite,
 * locked for this process (`holder` names the command in the message another process gets).
 */
export async function openConfiguredDatabase(config: Config, holder?: string): Promise<Database> {
  return config.databaseUrl ? openDatabase({ url: config.databaseUrl, log: createLogger(config.logLevel) }) : openDatabase({ dataDir: embeddedDir(config), holder });
}
