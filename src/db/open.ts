import path from 'node:path';
import type { Config } from '../config.js';
import { type Database, openDatabase } from './client.js';

/** The database the configuration names: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite. */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl ? openDatabase({ url: config.databaseUrl }) : openDatabase({ dataDir: path.join(config.dataDir, 'pglite') });
}
