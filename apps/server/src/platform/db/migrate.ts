import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

export const APP_ROLE = 'sprintconnect_app';
const LOCK_KEY = 7_300_214_001; // pg_advisory_xact_lock key: one migrator at a time across processes

/**
 * Applies `NNN_name.sql` files in order, each in its own transaction, under an advisory lock so that N
 * processes starting at once migrate exactly once. Returns the names applied now.
 */
export async function migrate(admin: pg.Pool, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const client = await admin.connect();
  const applied: string[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      await client.query(await readFile(join(dir, file), 'utf8'));
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  return applied;
}

/**
 * Tables the runtime role may read and append to but never change (issue 8 point 11, ADR 0027): an audit
 * trail the application could rewrite proves nothing after a compromise of the application. Retention and
 * org deletion run as the owner. Usage records (ADR 0042) likewise: what a caller was metered for is not the
 * application's to edit. The outbox is not here: its relay marks and prunes rows.
 */
export const APPEND_ONLY_TABLES: readonly string[] = ['audit_events', 'usage_records'];

/**
 * The runtime role: may log in and read/write rows, owns nothing, is no superuser and cannot bypass RLS.
 * Its password is derived from the master key, so every process computes it without storing another secret.
 * Runs at every start, after the migrations: the grants are recomputed each time, so a table a migration adds
 * gets its grant and an append-only table never gets its UPDATE back.
 */
export async function ensureAppRole(admin: pg.Pool, password: string): Promise<void> {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await admin.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
      CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
  END $$`);
  // Only LOGIN and PASSWORD: changing SUPERUSER/BYPASSRLS attributes needs a superuser, which a managed
  // database's owner is not; the role was created without them and the catalogue test checks it.
  await admin.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD ${lit(password)}`);
  const { rows } = await admin.query<{ db: string }>('SELECT current_database() AS db');
  await admin.query(`GRANT CONNECT ON DATABASE "${rows[0]!.db}" TO ${APP_ROLE}`);
  await admin.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
  // One transaction: no other session ever sees the broad grant without the narrowing that follows it, and
  // processes starting together take turns instead of racing on the same catalogue rows.
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await client.query(`REVOKE ALL ON schema_migrations FROM ${APP_ROLE}`);
    for (const table of APPEND_ONLY_TABLES) {
      await client.query(`REVOKE ALL ON ${table} FROM ${APP_ROLE}`);
      await client.query(`GRANT SELECT, INSERT ON ${table} TO ${APP_ROLE}`);
    }
    await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${APP_ROLE}`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * The runtime role enqueues jobs inside its own transactions (a job exists if and only if the change that asked
 * for it committed), so it needs DML on the queue's schema. That schema holds no tenant data; tenant state stays
 * in `jobs`, under RLS.
 */
export async function grantSchemaAccess(
  admin: pg.Pool,
  schema: string,
  role: string = APP_ROLE,
): Promise<void> {
  await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
  await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
  await admin.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
  await admin.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role}`);
}
