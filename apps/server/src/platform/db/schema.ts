import type { ColumnType } from 'kysely';

/**
 * The column shapes every table type is written with, and the one `Database` type the app's Kysely instance is
 * typed by. Table types live beside the module that owns each table (`*.schema.ts`, ADR 0035); platform/db
 * declares only its own bookkeeping, and `src/database.ts` completes `Database` from every owner's tables (the
 * platform never imports a module).
 */

/** timestamptz: read as a Date; written as a Date or an ISO string; optional on insert (it has a default). */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** timestamptz without a default: required on insert. */
export type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
/** jsonb: read parsed; written as JSON text, which Postgres parses on the way in. */
export type Json<T = unknown> = ColumnType<T, string, string>;

/** Migration bookkeeping, written by migrate.ts as the owner. */
export interface SchemaMigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface PlatformDbTables {
  schema_migrations: SchemaMigrationsTable;
}

/**
 * Every table, by name. Declared here so that the platform's handles are typed without importing a module, and
 * merged with each owner's `*Tables` in `src/database.ts`.
 */
export interface Database extends PlatformDbTables {}
