export { openDatabase, connectApp, withUser } from './database.ts';
export type { DatabaseHandle, OpenDatabaseOptions } from './database.ts';
export { startEmbeddedPostgres } from './embedded.ts';
export type { EmbeddedPostgres } from './embedded.ts';
export { migrate, ensureAppRole, grantSchemaAccess, APP_ROLE } from './migrate.ts';
export { withTenant, sqlExecutorFor } from './tenant.ts';
export type { Db, Tx } from './tenant.ts';
export type * from './schema.ts';
