import type pg from 'pg';

/**
 * The runtime role enqueues jobs inside its own transactions (transactional enqueue: a job exists if and only if
 * the change that asked for it committed), so it needs DML on the queue's tables. The queue schema has no
 * tenant data; tenant state stays in `jobs`, under RLS.
 */
export async function grantQueueAccess(admin: pg.Pool, role: string): Promise<void> {
  await admin.query(`GRANT USAGE ON SCHEMA pgboss TO ${role}`);
  await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${role}`);
  await admin.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO ${role}`);
  await admin.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${role}`);
}
