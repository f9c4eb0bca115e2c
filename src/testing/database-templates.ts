import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { dumpEmbedded, migrationsFolder, openDatabase } from '../db/client.js';
import { randomToken } from '../platform/crypto.js';

/**
 * Migrated template databases, so a test database is a copy rather than a fresh initdb plus every migration.
 * Measured on the 2-core CI machine: a fresh PGlite ~2.5 s + migrations ~0.5 s, loading a migrated dump ~1.2 s;
 * on the server, migrations ~0.65 s against `create database … template` ~0.15 s. The suite opens a few hundred
 * test databases per leg, twice per CI run.
 *
 * A template is named by a hash of the migrations (and PGlite's version), so a changed or added migration makes a new
 * one; nothing has to be invalidated by hand. Both kinds are built under a temporary name and published with an
 * atomic rename, so two test processes racing to build one never see a half-built template.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE_DIR = path.join(ROOT, '.cache', 'test-templates');

/** Hash of everything that decides a migrated database's contents. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  const files = fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(migrationsFolder, file);
    if (!fs.statSync(full).isFile()) continue;
    hash.update(file).update('\0').update(fs.readFileSync(full)).update('\0');
  }
  const pglite = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  hash.update(pglite.version);
  return hash.digest('hex').slice(0, 16);
}

let pgliteTemplate: Promise<Blob> | undefined;

/** A gzipped data directory of a migrated embedded database: from the cache on disk, or built once and cached. */
export function migratedPgliteTemplate(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const file = path.join(CACHE_DIR, `pglite-${migrationsHash()}.tar.gz`);
    if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
    const database = await openDatabase({ memory: true });
    try {
      await database.migrate();
      const dump = await dumpEmbedded(database);
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(tmp, file);
      return dump;
    } finally {
      await database.close();
    }
  })();
  return pgliteTemplate;
}

let pgliteTemplateDir: Promise<string> | undefined;

/**
 * The migrated template unpacked once into a data directory on disk. A test database is a file copy of it, opened in
 * place: that costs about half the CPU of loading the gzipped dump into PGlite's in-memory file system (~0.75 s
 * against ~1.4 s per database, measured), and the database's pages stay out of the JavaScript heap.
 */
function migratedPgliteTemplateDir(): Promise<string> {
  pgliteTemplateDir ??= (async () => {
    const dir = path.join(CACHE_DIR, `pglite-${migrationsHash()}`);
    if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
    const building = `${dir}.${process.pid}.tmp`;
    fs.rmSync(building, { recursive: true, force: true });
    const database = await openDatabase({ dataDir: building, from: await migratedPgliteTemplate() });
    await database.close();
    try {
      fs.renameSync(building, dir);
    } catch (err) {
      // Another process published the same template first: use theirs.
      fs.rmSync(building, { recursive: true, force: true });
      if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw err;
    }
    return dir;
  })();
  return pgliteTemplateDir;
}

/** A fresh copy of the migrated template in a temporary directory, and a function that removes it. */
export async function copyOfPgliteTemplate(): Promise<{ dir: string; remove: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-test-db-'));
  await copyPgliteTemplateTo(dir);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Puts a migrated, empty embedded database at `dir` (which must not hold one): for tests of the `lifeline` process
 * whose subject is not creating the database (initdb in WASM takes a CPU-minute on a loaded machine).
 */
export async function copyPgliteTemplateTo(dir: string): Promise<void> {
  fs.cpSync(await migratedPgliteTemplateDir(), dir, { recursive: true, errorOnExist: true, force: false });
}

const serverTemplates = new Map<string, Promise<string>>();

/** The name of a migrated template database on the server at `serverUrl`, built there if it is missing. */
export function migratedServerTemplate(serverUrl: string): Promise<string> {
  let name = serverTemplates.get(serverUrl);
  if (!name) {
    name = buildServerTemplate(serverUrl);
    serverTemplates.set(serverUrl, name);
  }
  return name;
}

async function buildServerTemplate(serverUrl: string): Promise<string> {
  const prefix = 'lifeline_template_';
  const name = `${prefix}${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return name;
    const building = `lifeline_building_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    await admin.query(`create database ${building}`);
    try {
      const u = new URL(serverUrl);
      u.pathname = `/${building}`;
      const database = await openDatabase({ url: u.toString() });
      try {
        await database.migrate();
      } finally {
        await database.close();
      }
      await admin.query(`alter database ${building} rename to ${name}`);
    } catch (err) {
      await admin.query(`drop database if exists ${building} with (force)`);
      // Another process published the same template first: use theirs.
      if ((err as { code?: string }).code === '42P04') return name;
      throw err;
    }
    // Templates of older migrations stay: another checkout's tests may be copying one right now. Each is the size of
    // an empty Lifeline; `drop database lifeline_template_…` on a developer's server is safe between runs.
    return name;
  } finally {
    await admin.end();
  }
}
