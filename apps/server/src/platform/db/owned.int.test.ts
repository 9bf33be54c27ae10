import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { findOwned, onTenantGuardMiss, requireOwned, type TenantGuardMiss } from './owned.ts';
import { withTenant } from './tenant.ts';

/**
 * Story 8.5: the repository guard. A fetch by id answers "nothing" alike for an id of another org, an unknown id
 * and a malformed one; only the reported miss tells them apart. A row of another org is refused even on a
 * connection RLS does not restrict.
 */
let database: TestDatabase;
let orgA: string;
let orgB: string;
let roleOfB: string;
const misses: TenantGuardMiss[] = [];
let stop: () => void;

const roleById = (tx: Parameters<Parameters<typeof withTenant>[2]>[0], id: string) =>
  tx.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();

beforeAll(async () => {
  database = await createTestDatabase();
  [orgA, orgB, roleOfB] = [uuidv7(), uuidv7(), uuidv7()];
  for (const [id, slug] of [
    [orgA, 'guard-a'],
    [orgB, 'guard-b'],
  ] as const) {
    await database.adminPool.query('INSERT INTO orgs (id, slug, name) VALUES ($1, $2, $2)', [id, slug]);
  }
  await withTenant(database.db, orgB, (tx) =>
    tx
      .insertInto('roles')
      .values({
        org_id: orgB,
        id: roleOfB,
        name: 'b-role',
        description: '',
        built_in: false,
        extends_role_id: null,
        permissions: [],
      })
      .execute(),
  );
  stop = onTenantGuardMiss((m) => misses.push(m));
});
afterAll(async () => {
  stop?.();
  await database?.drop();
});

describe('findOwned', () => {
  it("finds the caller's own row (the control)", async () => {
    const row = await withTenant(database.db, orgB, (tx) =>
      findOwned(tx, { table: 'roles', orgId: orgB, id: roleOfB }, (id) => roleById(tx, id)),
    );
    expect(row?.id).toBe(roleOfB);
  });

  it("answers nothing for another org's id, and reports it as other_org", async () => {
    misses.length = 0;
    const row = await withTenant(database.db, orgA, (tx) =>
      findOwned(tx, { table: 'roles', orgId: orgA, id: roleOfB }, (id) => roleById(tx, id)),
    );
    expect(row).toBeUndefined();
    expect(misses).toEqual([{ table: 'roles', orgId: orgA, id: roleOfB, reason: 'other_org' }]);
  });

  it('answers the same nothing for an unknown id, reported as absent', async () => {
    misses.length = 0;
    const id = uuidv7();
    const row = await withTenant(database.db, orgA, (tx) =>
      findOwned(tx, { table: 'roles', orgId: orgA, id }, (i) => roleById(tx, i)),
    );
    expect(row).toBeUndefined();
    expect(misses).toEqual([{ table: 'roles', orgId: orgA, id, reason: 'absent' }]);
  });

  it('refuses a malformed id without asking the database', async () => {
    misses.length = 0;
    let asked = false;
    const row = await withTenant(database.db, orgA, (tx) =>
      findOwned(tx, { table: 'roles', orgId: orgA, id: "x' OR 1=1 --" }, async () => {
        asked = true;
        return undefined;
      }),
    );
    expect(row).toBeUndefined();
    expect(asked).toBe(false);
    expect(misses[0]?.reason).toBe('malformed_id');
  });

  it("refuses another org's row even where RLS lets it through (the owner's connection)", async () => {
    misses.length = 0;
    // The test database's owner bypasses RLS: the fetch returns B's row, the guard does not.
    const row = await database.adminDb
      .transaction()
      .execute((tx) => findOwned(tx, { table: 'roles', orgId: orgA, id: roleOfB }, (id) => roleById(tx, id)));
    expect(row).toBeUndefined();
    expect(misses[0]?.reason).toBe('other_org');
  });

  it("requireOwned throws the resource's own not-found error", async () => {
    await expect(
      withTenant(database.db, orgA, (tx) =>
        requireOwned(
          tx,
          { table: 'roles', orgId: orgA, id: roleOfB },
          (id) => roleById(tx, id),
          (id) => new Error(`no role ${id}`),
        ),
      ),
    ).rejects.toThrow(`no role ${roleOfB}`);
  });

  it('a probe on a table the door cannot read says unknown, and leaves the transaction usable', async () => {
    misses.length = 0;
    const after = await withTenant(database.db, orgA, async (tx) => {
      await findOwned(tx, { table: 'no_such_table', orgId: orgA, id: uuidv7() }, async () => undefined);
      return (await tx.selectFrom('orgs').select('id').execute()).length;
    });
    expect(after).toBeGreaterThan(0);
    expect(misses[0]?.reason).toBe('unknown');
  });
});
