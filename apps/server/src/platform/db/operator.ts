import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { DataDirInUseError, runningOwner } from './embedded-owner.ts';
import type { Database } from './schema.ts';
import type { Db } from './tenant.ts';

/**
 * The database as the machine's operator reaches it, outside any running SprintConnect (`sprintconnect admin
 * create-key`, issue 10 point 7): found the way `sprintconnect start` finds it, with the owner's credentials.
 * On an embedded data dir whose SprintConnect runs, the running cluster is used as it is: its postmaster is
 * neither stopped nor claimed (ADR 0021); with none running, the cluster is started for the command and
 * stopped after it (the data dir is claimed meanwhile, so a `start` at that moment waits for nothing and is
 * told who has it).
 */
export interface OperatorDatabase {
  /** The owner connection (no tenant set; RLS applies per `withTenant`). */
  readonly db: Db;
  /** Where it is, for the operator: `DATABASE_URL`, or the running or temporarily started embedded cluster. */
  readonly via: string;
  close(): Promise<void>;
}

const DATABASE = 'sprintconnect';

function connect(url: string): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // a dropped idle connection fails the next query, never the process
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

const embeddedUrl = (password: string, port: number) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

/** Refuses a database whose schema is older than this program: it would write rows the schema cannot hold. */
async function assertMigrated(pool: pg.Pool, migrationsDir: string): Promise<void> {
  const files = (await readdir(migrationsDir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f));
  const applied = await pool
    .query<{ name: string }>('SELECT name FROM schema_migrations')
    .then((r) => new Set(r.rows.map((x) => x.name)))
    .catch((e: { code?: string }) => {
      if (e.code === '42P01') return new Set<string>(); // no schema_migrations: never migrated
      throw e;
    });
  const pending = files.filter((f) => !applied.has(f)).sort();
  if (pending.length > 0) {
    throw new Error(
      `the database has not been migrated to this version of SprintConnect (pending: ${pending.join(', ')}). ` +
        'Start SprintConnect once (`sprintconnect start`) to upgrade it, then run this again.',
    );
  }
}

async function openEmbedded(
  dataDir: string,
  log: (m: string) => void,
): Promise<{ url: string; via: string; embedded?: EmbeddedPostgres }> {
  const pgRoot = join(dataDir, 'postgres');
  const initialised = await access(join(pgRoot, 'data', 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised) {
    throw new Error(
      `there is no SprintConnect database in ${dataDir}. Run this with the SPRINTCONNECT_DATA_DIR (or ` +
        'DATABASE_URL) that `sprintconnect start` uses, from the same directory.',
    );
  }
  const password = await readFile(join(pgRoot, 'superuser-password'), 'utf8').catch(
    (e: NodeJS.ErrnoException) => {
      throw new Error(
        `cannot read ${join(pgRoot, 'superuser-password')} (${e.code}); run this as the user that runs ` +
          'SprintConnect on that data dir.',
      );
    },
  );
  const viaRunning = (pid: number, port: number) => ({
    url: embeddedUrl(password, port),
    via: `the embedded PostgreSQL of the running SprintConnect (process ${pid}) on 127.0.0.1:${port}`,
  });
  const running = await runningOwner(pgRoot);
  if (running !== undefined) {
    if (running.pgPort === undefined) {
      throw new Error(
        `SprintConnect (process ${running.pid}) is starting on ${dataDir}; run this again once it is ready.`,
      );
    }
    return viaRunning(running.pid, running.pgPort);
  }
  try {
    const embedded = await startEmbeddedPostgres({ dataDir, log });
    return {
      url: embeddedUrl(password, embedded.port),
      via: `the embedded PostgreSQL in ${dataDir}, started for this command`,
      embedded,
    };
  } catch (e) {
    // A `sprintconnect start` took the data dir between our look and our claim: use its cluster.
    if (e instanceof DataDirInUseError && e.owner.pgPort !== undefined) {
      return viaRunning(e.owner.pid, e.owner.pgPort);
    }
    throw e;
  }
}

export async function openOperatorDatabase(o: {
  databaseUrl: string | undefined;
  dataDir: string;
  migrationsDir: string;
  log?: ((msg: string) => void) | undefined;
}): Promise<OperatorDatabase> {
  const log = o.log ?? (() => undefined);
  const where =
    o.databaseUrl === undefined
      ? await openEmbedded(o.dataDir, log)
      : { url: o.databaseUrl, via: 'DATABASE_URL', embedded: undefined };
  const { db, pool } = connect(where.url);
  const close = async () => {
    await db.destroy();
    await where.embedded?.stop();
  };
  try {
    await assertMigrated(pool, o.migrationsDir);
  } catch (e) {
    await close();
    throw e;
  }
  return { db, via: where.via, close };
}
