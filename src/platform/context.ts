import type { Config } from '../config.js';
import type { Database, Db } from '../db/client.js';
import type { CacheHub } from './cache.js';
import type { Clock } from './clock.js';
import type { FileStorage } from './storage.js';

/** What every service is built with. Passed explicitly; there is no container. */
export type Ctx = { database: Database; db: Db; clock: Clock; config: Config; files: FileStorage; cache: CacheHub };
