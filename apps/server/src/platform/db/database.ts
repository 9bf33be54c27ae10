import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { watchAvailability } from './availability.ts';
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
  /** Readiness: one round trip as the runtime role, within 2 s. */
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
  client.on('error', () => undefined); // a dropped connection fails the query below; never the process
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

/** Waiting longer than this for a connection (server unreachable, or every connection busy) fails the query. */
const CONNECT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 2000;

const guarded = new WeakSet<pg.Pool>();

/**
 * pg-pool listens for `error` on idle clients only: a checked-out client whose connection drops (fast shutdown,
 * restart, pg_terminate_backend) emits `error` with no listener, and that ends the process (issue 8 point 14).
 * The query in flight fails on its own, and the pool discards the broken client when it is released, so the
 * listener only reports the loss.
 */
function guardPool(pool: pg.Pool, onError: (e: Error) => void): pg.Pool {
  if (guarded.has(pool)) return pool;
  guarded.add(pool);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

function newPool(connectionString: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
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
  let report: (e: Error) => void = () => undefined;
  const adminPool = guardPool(newPool(adminUrl, 4), (e) => report(e));
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
  const handle = connectApp({
    adminPool,
    adminUrl,
    appUrl,
    embedded,
    poolSize: opts.poolSize,
    log: opts.log,
  });
  report = (e) => handle.report(e);
  return handle;
}

/** Connects to an already-migrated database (tests clone a migrated template). */
export function connectApp(args: {
  adminPool: pg.Pool;
  adminUrl: string;
  appUrl: string;
  embedded?: EmbeddedPostgres | undefined;
  poolSize?: number | undefined;
  log?: ((msg: string) => void) | undefined;
}): DatabaseHandle & { report(e: Error): void } {
  const appPool = newPool(args.appUrl, args.poolSize ?? 10);
  const availability = watchAvailability({
    probe: () => appPool.query('SELECT 1').then(() => undefined),
    log: args.log ?? (() => undefined),
  });
  const report = (e: Error) => availability.report(e);
  // An idle or checked-out client dropped by the server (restart, failover) must not crash the process.
  guardPool(appPool, report);
  guardPool(args.adminPool, report);
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
    report,
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
      });
      try {
        await Promise.race([appPool.query('SELECT 1'), timeout]);
        return true;
      } catch (e) {
        availability.report(e);
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => {
      closed ??= (async () => {
        availability.close();
        await db.destroy();
        await args.adminPool.end();
        await args.embedded?.stop();
      })();
      return closed;
    },
  };
}

export { withUser };
