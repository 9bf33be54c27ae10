import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP_ROLE_PASSWORD } from '../../../test/constants.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { MIGRATIONS_DIR } from '../../main.ts';
import { APP_ROLE, openDatabase } from '../../platform/db/index.ts';

/**
 * Issue 8 point 11: the application's own database role may append audit events and read them, never change
 * or remove them (ADR 0027). Checked as that role (`sprintconnect_app`) on real PostgreSQL, before and after a
 * second start, which re-runs the role's grants.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

/** Runs one statement as the runtime role, inside the caller org's tenant, and rolls back whatever it did. */
async function asApp(
  sql: string,
): Promise<{ ok: true; rows: number } | { ok: false; code: string; message: string }> {
  const client = await t.database.appPool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.org_id', $1, true)", [t.orgId]);
    const r = await client.query(sql);
    return { ok: true, rows: r.rowCount ?? 0 };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { ok: false, code: err.code, message: err.message };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

async function registerServer(name: string): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: t.auth,
    payload: { name, url: 'https://mcp.example.com/mcp', autoDiscover: false },
  });
  expect(res.statusCode).toBe(201);
}

const auditCount = async (action: string) =>
  Number(
    (
      await t.database.adminPool.query(
        'SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1 AND action = $2',
        [t.orgId, action],
      )
    ).rows[0].n,
  );

/** 42501 insufficient_privilege: refused by the grant, before any row (or RLS policy) is looked at. */
const REFUSED = {
  ok: false,
  code: '42501',
  message: expect.stringMatching(/permission denied for table audit_events/),
};

async function expectAppendOnly(): Promise<void> {
  expect(await asApp("UPDATE audit_events SET action = 'rewritten'")).toEqual(REFUSED);
  expect(await asApp('DELETE FROM audit_events')).toEqual(REFUSED);
  expect(await asApp('TRUNCATE audit_events')).toEqual(REFUSED);
  // Reads stay allowed: the audit API reads through this role.
  expect(await asApp('SELECT 1 FROM audit_events')).toMatchObject({ ok: true });
}

describe('audit events are append-only for the application role', () => {
  it('runs as the runtime role, which is what these checks are about', async () => {
    const { rows } = await t.database.appPool.query('SELECT current_user AS u');
    expect(rows[0].u).toBe(APP_ROLE);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on audit_events, while a state change still records its event', async () => {
    await registerServer('audited-one');
    expect(await auditCount('server.registered')).toBe(1);
    await expectAppendOnly();
    expect(await auditCount('server.registered')).toBe(1);
  });

  it('keeps them refused after a second start re-runs the grants', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sc-audit-'));
    try {
      const second = await openDatabase({
        databaseUrl: t.database.adminUrl,
        dataDir,
        appRolePassword: TEST_APP_ROLE_PASSWORD,
        migrationsDir: MIGRATIONS_DIR,
        poolSize: 1,
      });
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    await expectAppendOnly();
    await registerServer('audited-two');
    expect(await auditCount('server.registered')).toBe(2);
  });

  it('leaves the outbox writable: its relay marks and prunes rows', async () => {
    const { rows } = await t.database.adminPool.query(
      `SELECT has_table_privilege($1, 'outbox_events', 'UPDATE') AS upd,
              has_table_privilege($1, 'outbox_events', 'DELETE') AS del`,
      [APP_ROLE],
    );
    expect(rows[0]).toEqual({ upd: true, del: true });
  });
});
