import { describe, expect, it } from 'vitest';
import { type AccessLoader, createPermissionCache, type RoleRecord } from './permission-cache.ts';

function fakeStore() {
  const roles: RoleRecord[] = [
    { id: 'v', name: 'viewer', extendsId: null, permissions: ['servers:list'] },
    { id: 'e', name: 'engineer', extendsId: 'v', permissions: ['servers:create'] },
  ];
  const assignments = new Map<string, string[]>([['user:u1', ['e']]]);
  const disabled = new Set<string>();
  let calls = 0;
  let gate: Promise<void> | undefined;
  const loader: AccessLoader = {
    async loadRoles() {
      calls++;
      return roles.map((r) => ({ ...r }));
    },
    async loadAssignments(_org, who) {
      calls++;
      const snapshot = [...(assignments.get(`${who.type}:${who.id}`) ?? [])];
      await gate;
      return { active: !disabled.has(who.id), roleIds: snapshot };
    },
  };
  return {
    loader,
    roles,
    assignments,
    disabled,
    calls: () => calls,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const u1 = { type: 'user', id: 'u1' } as const;

describe('permission cache', () => {
  it('resolves inherited permissions and role names', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    cache.setEnabled(true);
    expect(await cache.resolve('o', u1)).toEqual({
      roles: ['engineer'],
      permissions: ['servers:list', 'servers:create'],
    });
  });

  it('answers a repeated question from memory, with no load', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    cache.setEnabled(true);
    await cache.resolve('o', u1);
    const before = s.calls();
    await cache.resolve('o', u1);
    expect(s.calls()).toBe(before);
    expect(cache.stats().hits).toBe(1);
  });

  it('sees a change after the org is invalidated, and only that org is dropped', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    cache.setEnabled(true);
    await cache.resolve('o', u1);
    await cache.resolve('other', u1);
    s.assignments.set('user:u1', ['v']);
    expect((await cache.resolve('o', u1)).permissions).toEqual(['servers:list', 'servers:create']);
    cache.invalidate('o');
    expect((await cache.resolve('o', u1)).permissions).toEqual(['servers:list']);
    expect(cache.stats().orgs).toBe(2);
  });

  it('does not keep a result loaded before an invalidation that arrived during the load', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    cache.setEnabled(true);
    const release = s.hold();
    const pending = cache.resolve('o', u1);
    s.assignments.set('user:u1', []);
    cache.invalidate('o');
    release();
    expect((await pending).permissions).toEqual(['servers:list', 'servers:create']);
    expect((await cache.resolve('o', u1)).permissions).toEqual([]);
  });

  it('caches nothing while disabled (the invalidation channel is down)', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    await cache.resolve('o', u1);
    s.assignments.set('user:u1', []);
    expect((await cache.resolve('o', u1)).permissions).toEqual([]);
    expect(cache.stats().hits).toBe(0);
  });

  it('gives a disabled or unknown user nothing', async () => {
    const s = fakeStore();
    s.disabled.add('u1');
    const cache = createPermissionCache(s.loader);
    expect(await cache.resolve('o', u1)).toEqual({ roles: [], permissions: [] });
  });

  it('drops everything on clear (after a reconnect, notifications may have been missed)', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader);
    cache.setEnabled(true);
    await cache.resolve('o', u1);
    s.roles[0] = { ...s.roles[0]!, permissions: ['servers:list', 'jobs:read'] };
    cache.clear();
    expect((await cache.resolve('o', u1)).permissions).toEqual([
      'servers:list',
      'servers:create',
      'jobs:read',
    ]);
  });

  it('keeps at most the configured number of orgs', async () => {
    const s = fakeStore();
    const cache = createPermissionCache(s.loader, { maxOrgs: 2, maxPrincipalsPerOrg: 10 });
    cache.setEnabled(true);
    for (const org of ['a', 'b', 'c']) await cache.resolve(org, u1);
    expect(cache.stats().orgs).toBe(2);
  });
});
