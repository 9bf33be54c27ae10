import pg from 'pg';
import { APP_ROLE } from '../src/platform/db/index.ts';
import { grantQueueAccess, installQueueSchema } from '../src/platform/jobs/index.ts';

export async function prepareJobSchema(templateUrl: string): Promise<void> {
  await installQueueSchema(templateUrl);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await grantQueueAccess(pool, APP_ROLE);
  await pool.end();
}
