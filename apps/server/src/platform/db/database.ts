import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { APP_ROLE, ensureAppRole, migrate } from './migrate.ts';
import type { Database } from './schema.ts';
import type { Db } from './tenant.ts';

// timestamptz -> Date and bigint (count(*)) -> number, the way the app reads them.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseHandle {
  /** Runtime queries: the non-owner role, subject to RLS. */
  readonly db: Db;
  readonly appPool: pg.Pool;
  /** Owner connection: migrations, bootstrap and the job queue's own schema. */
  readonly adminPool: pg.Pool;
  readonly adminDb: Db;
  readonly adminUrl: string;
  readonly appUrl: string;
  readonly embedded: EmbeddedPostgres | undefined;
  /** Readiness: one round trip as the runtime role. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** External PostgreSQL (owner credentials); absent means the embedded server under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  appRolePassword: string;
  migrationsDir: string;
  poolSize?: number;
  log?: (msg: string) => void;
}

function withUser(url: string, user: string, password: string, database?: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  if (database !== undefined) u.pathname = `/${database}`;
  return u.toString();
}

async function ensureEmbeddedDatabase(superUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: superUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
  const u = new URL(superUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl: string;
  if (opts.databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: opts.dataDir, log: opts.log });
    adminUrl = await ensureEmbeddedDatabase(embedded.url, 'sprintconnect');
  } else {
    adminUrl = opts.databaseUrl;
  }
  const adminPool = new pg.Pool({ connectionString: adminUrl, max: 4 });
  adminPool.on('error', (e) => opts.log?.(`database: idle admin connection lost: ${e.message}`));
  try {
    const applied = await migrate(adminPool, opts.migrationsDir);
    if (applied.length > 0) opts.log?.(`migrations applied: ${applied.join(', ')}`);
    await ensureAppRole(adminPool, opts.appRolePassword);
  } catch (e) {
    await adminPool.end();
    await embedded?.stop();
    throw e;
  }
  const appUrl = withUser(adminUrl, APP_ROLE, opts.appRolePassword);
  return connectApp({ adminPool, adminUrl, appUrl, embedded, poolSize: opts.poolSize });
}

/** Connects to an already-migrated database (tests clone a migrated template). */
export function connectApp(args: {
  adminPool: pg.Pool;
  adminUrl: string;
  appUrl: string;
  embedded?: EmbeddedPostgres | undefined;
  poolSize?: number | undefined;
}): DatabaseHandle {
  const appPool = new pg.Pool({ connectionString: args.appUrl, max: args.poolSize ?? 10 });
  // An idle client dropped by the server (restart, failover) must not crash the process; the pool replaces it.
  appPool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: appPool }) });
  let closed: Promise<void> | undefined;
  const adminDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: args.adminPool }) });
  return {
    db,
    adminDb,
    appPool,
    adminPool: args.adminPool,
    adminUrl: args.adminUrl,
    appUrl: args.appUrl,
    embedded: args.embedded,
    ping: () =>
      appPool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: () => {
      closed ??= (async () => {
        await db.destroy();
        await args.adminPool.end();
        await args.embedded?.stop();
      })();
      return closed;
    },
  };
}

export { withUser };
