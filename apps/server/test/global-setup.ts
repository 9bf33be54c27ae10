import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureAppRole, migrate, startEmbeddedPostgres, withUser } from '../src/platform/db/index.ts';
import { TEMPLATE_DB, TEST_APP_ROLE_PASSWORD } from './constants.ts';

/**
 * One PostgreSQL for the whole run: the embedded Postgres 18 by default, or an external server when
 * SPRINTCONNECT_TEST_DATABASE_URL is set (CI runs the suite again on Debian's PostgreSQL 15). A migrated template
 * database is made once; each test file clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.SPRINTCONNECT_TEST_DATABASE_URL;
  let stop = async () => {};
  let adminUrl: string;
  if (external !== undefined && external !== '') {
    adminUrl = external;
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'sc-test-pg-'));
    const pgServer = await startEmbeddedPostgres({ dataDir: dir });
    adminUrl = pgServer.url;
    // A throwaway cluster: durability against an OS crash buys nothing here, and every commit and CREATE DATABASE
    // would wait on the disk. SQL behaviour is unchanged (docs/testing.md). The clusters that tests start through
    // `sprintconnect start` keep the product's settings.
    await relaxDurability(adminUrl);
    stop = async () => {
      await pgServer.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB} ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 2 });
  await migrate(pool, join(import.meta.dirname, '..', 'migrations'));
  await ensureAppRole(pool, TEST_APP_ROLE_PASSWORD);
  const { prepareJobSchema } = await import('./job-schema.ts');
  await prepareJobSchema(templateUrl);
  await pool.end();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE_DB);
  return async () => {
    await stop();
  };
}

async function relaxDurability(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes'])
    await c.query(`ALTER SYSTEM SET ${setting} = off`);
  await c.query('SELECT pg_reload_conf()');
  await c.end();
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export { withUser };
