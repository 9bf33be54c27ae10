import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { APP_ROLE, connectApp, type DatabaseHandle, withUser } from '../src/platform/db/index.ts';
import { TEST_APP_ROLE_PASSWORD } from './constants.ts';

export interface TestDatabase extends DatabaseHandle {
  readonly name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A fresh database cloned from the migrated template (global-setup.ts); dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgAdminUrl');
  const name = `sc_t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  await c.end();
  const adminUrl = withDatabase(serverUrl, name);
  const adminPool = new pg.Pool({ connectionString: adminUrl, max: 4 });
  adminPool.on('error', () => undefined);
  const handle = connectApp({
    adminPool,
    adminUrl,
    appUrl: withUser(adminUrl, APP_ROLE, TEST_APP_ROLE_PASSWORD),
  });
  return {
    ...handle,
    name,
    async drop() {
      await handle.close();
      const d = new pg.Client({ connectionString: serverUrl });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
