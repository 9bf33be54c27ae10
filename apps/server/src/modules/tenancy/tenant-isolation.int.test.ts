import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { APP_ROLE, withTenant } from '../../platform/db/index.ts';
import { createOrg } from './tenancy.service.ts';

let database: TestDatabase;
let orgA: string;
let orgB: string;

async function addServer(orgId: string, name: string) {
  await withTenant(database.db, orgId, (tx) =>
    tx
      .insertInto('servers')
      .values({
        org_id: orgId,
        id: uuidv7(),
        name,
        url: 'https://mcp.example.com/mcp',
        transport: 'streamable-http',
        environment: 'development',
        tags: [],
        description: '',
        auto_discover: false,
        auth_type: 'none',
        auth_header_name: null,
        auth_secret: null,
        status: 'pending_discovery',
        created_by: 'test',
      })
      .execute(),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  orgA = await createOrg(database.adminDb, { slug: 'org-a', name: 'A' });
  orgB = await createOrg(database.adminDb, { slug: 'org-b', name: 'B' });
  await addServer(orgA, 'a1');
  await addServer(orgA, 'a2');
  await addServer(orgB, 'b1');
});
afterAll(() => database.drop());

describe('tenant isolation by row level security', () => {
  it('a query without an org filter reads only the current tenant rows', async () => {
    const rows = await withTenant(database.db, orgA, (tx) =>
      tx.selectFrom('servers').select('name').execute(),
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['a1', 'a2']);
  });

  it('an update or delete without an org filter cannot touch another org rows', async () => {
    await withTenant(database.db, orgA, async (tx) => {
      await tx.updateTable('servers').set({ description: 'changed by A' }).execute();
      await tx.deleteFrom('servers').where('name', '=', 'b1').execute();
    });
    const b = await withTenant(database.db, orgB, (tx) =>
      tx.selectFrom('servers').select(['name', 'description']).execute(),
    );
    expect(b).toEqual([{ name: 'b1', description: '' }]);
  });

  it('inserting a row for another org is refused', async () => {
    await expect(
      withTenant(database.db, orgA, (tx) =>
        sql`INSERT INTO outbox_events (org_id, id, topic, payload) VALUES (${orgB}, ${uuidv7()}, 'x', '{}')`.execute(
          tx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('with no tenant set, the runtime role sees no tenant rows at all', async () => {
    const rows = await database.db.selectFrom('servers').select('id').execute();
    expect(rows).toEqual([]);
    const orgs = await database.db.selectFrom('orgs').select('id').execute();
    expect(orgs).toEqual([]);
  });

  it('the tenant setting does not outlive its transaction on a pooled connection', async () => {
    await withTenant(database.db, orgA, async () => undefined);
    const { rows } = await database.appPool.query("SELECT current_setting('app.org_id', true) AS v");
    expect(rows[0].v ?? '').toBe('');
  });
});

describe('schema catalogue guards', () => {
  it('every table with an org_id column has row level security enabled and forced', async () => {
    const { rows } = await database.adminPool.query<{ table: string; rls: boolean; forced: boolean }>(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => !r.rls || !r.forced).map((r) => r.table)).toEqual([]);
  });

  it('the runtime role owns no table, is not a superuser and cannot bypass RLS', async () => {
    const role = await database.adminPool.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1',
      [APP_ROLE],
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await database.adminPool.query(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
       WHERE r.rolname = $1 AND c.relkind IN ('r', 'p', 'v', 'm')`,
      [APP_ROLE],
    );
    expect(owned.rows).toEqual([]);
    const { rows } = await database.appPool.query('SELECT current_user AS u');
    expect(rows[0].u).toBe(APP_ROLE);
  });
});
