import { getTableName, sql } from 'drizzle-orm';
import { type Executor, rowsOf, type Tx } from '../../db/client.js';
import { ticketMetrics } from './reports.schema.js';

/**
 * The table a rebuild fills beside the live `ticket_metrics`, then puts in its place. It starts as a bare copy of
 * the live table's columns (no index, no key: a million rows appended to it cost their heap writes only, where the
 * live table's five indexes were most of what the rebuild wrote) and gets the live table's indexes and constraints,
 * read from the catalog so a migration's new index comes along, once it is full. Until the swap the live table
 * serves and the live fold keeps writing it; a crash leaves the live table as it was and this one half full (the
 * next rebuild drops it).
 */

const LIVE = getTableName(ticketMetrics);
export const REBUILD_TABLE = `${LIVE}_rebuild`;
const live = sql.raw(LIVE);
const staging = sql.raw(REBUILD_TABLE);
// The staging table's index and constraint names until the swap gives them the live ones (63 bytes at most).
const stagingName = (name: string) => `rb_${name}`.slice(0, 63);

/** A fresh, empty staging table with the live table's columns, defaults and checks, and nothing else. */
export async function createRebuildTable(ex: Executor): Promise<void> {
  await ex.execute(sql`drop table if exists ${staging}`);
  await ex.execute(sql`create table ${staging} (like ${live} including all excluding indexes)`);
}

export async function dropRebuildTable(ex: Executor): Promise<void> {
  await ex.execute(sql`drop table if exists ${staging}`);
}

type Constraint = { name: string; def: string };
type Index = { name: string; def: string };

/** The live table's keys and other constraints `like` does not copy, and its plain indexes, as the catalog has them. */
async function liveDefinitions(ex: Executor): Promise<{ constraints: Constraint[]; indexes: Index[] }> {
  const constraints = rowsOf<Constraint>(
    await ex.execute(sql`select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = ${LIVE}::regclass and contype in ('p', 'u', 'x', 'f') order by contype = 'f', conname`),
  );
  const indexes = rowsOf<Index>(
    await ex.execute(sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as def from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = ${LIVE}::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid) order by c.relname`),
  );
  return { constraints, indexes };
}

/**
 * Builds the live table's indexes and constraints on the full staging table (one sorted build each instead of a
 * million insertions), then its statistics, so the swapped-in table plans like the one it replaces.
 */
export async function indexRebuildTable(ex: Executor): Promise<void> {
  const { constraints, indexes } = await liveDefinitions(ex);
  for (const c of constraints) await ex.execute(sql.raw(`alter table ${REBUILD_TABLE} add constraint ${stagingName(c.name)} ${c.def}`));
  for (const i of indexes) {
    // "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …": the same index under its staging name, on the staging table.
    const def = i.def.replace(/^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:ONLY )?)(\S+)( USING )/, (_m, create, _name, on, _table, using) => `${create}${stagingName(i.name)}${on}${REBUILD_TABLE}${using}`);
    if (def === i.def) throw new Error(`reports rebuild: cannot read the definition of index ${i.name}: ${i.def}`);
    await ex.execute(sql.raw(def));
  }
  await ex.execute(sql`analyze ${staging}`);
}

/**
 * In the swap's transaction, with the live table locked (access exclusive: no fold writes it, no report reads it):
 * the staging table takes the live one's place and its indexes' and constraints' names. Readers and writers waiting
 * on the lock find the new table by its name when they get it.
 */
export async function swapRebuildTable(tx: Tx): Promise<void> {
  const { constraints, indexes } = await liveDefinitions(tx);
  await tx.execute(sql`drop table ${live}`);
  await tx.execute(sql`alter table ${staging} rename to ${live}`);
  // Renaming a constraint's index renames the constraint (primary key, unique); a foreign key has no index of its own.
  for (const c of constraints) {
    const isIndexed = !c.def.startsWith('FOREIGN KEY');
    await tx.execute(sql.raw(isIndexed ? `alter index ${stagingName(c.name)} rename to ${c.name}` : `alter table ${LIVE} rename constraint ${stagingName(c.name)} to ${c.name}`));
  }
  for (const i of indexes) await tx.execute(sql.raw(`alter index ${stagingName(i.name)} rename to ${i.name}`));
}

/** Locks the live table for the swap (in the swap's transaction). */
export async function lockLiveTable(tx: Tx): Promise<void> {
  await tx.execute(sql`lock table ${live} in access exclusive mode`);
}
