import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../apps/server/src/main.ts';
import { type DatabaseHandle, openDatabase } from '../apps/server/src/platform/db/index.ts';

/** What every benchmark shares: a scratch database, percentiles, and the exit-code convention of bench/run.ts. */

/** An empty database: a scratch one on $DATABASE_URL's server, else an embedded server of our own. */
export async function openBenchDatabase(
  prefix: string,
  /** The app role's password; a bench that starts `sprintconnect start` on this database passes the one derived from its master key. */
  appRolePassword = randomBytes(18).toString('base64url'),
): Promise<{ database: DatabaseHandle; cleanup: () => Promise<void> }> {
  // A script beside the app: config/ reads the app's environment; the benchmark only picks its database.
  const external = process.env.DATABASE_URL;
  if (external !== undefined && external !== '') {
    const name = `sc_bench_${randomBytes(4).toString('hex')}`;
    const server = async (sql: string) => {
      const c = new pg.Client({ connectionString: external });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    };
    await server(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
    const url = new URL(external);
    url.pathname = `/${name}`;
    const database = await openDatabase({
      databaseUrl: url.toString(),
      dataDir: tmpdir(),
      appRolePassword,
      migrationsDir: MIGRATIONS_DIR,
    });
    return {
      database,
      cleanup: async () => {
        await database.close();
        await server(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), `sc-bench-${prefix}-`));
  const database = await openDatabase({
    databaseUrl: undefined,
    dataDir,
    appRolePassword,
    migrationsDir: MIGRATIONS_DIR,
  });
  return {
    database,
    cleanup: async () => {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The p-th percentile (nearest rank) of the samples. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Exit 0 when the targets are met, 1 when one is missed, 2 when the benchmark itself failed. */
export function runBench(main: () => Promise<boolean>): void {
  main().then(
    (pass) => process.exit(pass ? 0 : 1),
    (e) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
}
