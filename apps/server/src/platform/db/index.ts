export type { DatabaseHandle, OpenDatabaseOptions } from './database.ts';
export { connectApp, openDatabase, withUser } from './database.ts';
export type { EmbeddedPostgres } from './embedded.ts';
export { startEmbeddedPostgres } from './embedded.ts';
export { APP_ROLE, ensureAppRole, grantSchemaAccess, migrate } from './migrate.ts';
export type * from './schema.ts';
export type { Db, Tx } from './tenant.ts';
export { sqlExecutorFor, withTenant } from './tenant.ts';
