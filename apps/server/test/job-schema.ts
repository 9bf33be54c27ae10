import pg from 'pg';
import { grantSchemaAccess } from '../src/platform/db/index.ts';
import { installQueueSchema } from '../src/platform/jobs/index.ts';

export async function prepareJobSchema(templateUrl: string): Promise<void> {
  await installQueueSchema(templateUrl);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await grantSchemaAccess(pool, 'pgboss');
  await pool.end();
}
