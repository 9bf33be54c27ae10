import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../test/test-principal.ts';

/**
 * Issue 9 point 4 (ADR 0035): the lists that page by keyset share one implementation. Walked a page at a time,
 * each returns what one large page returns, in the same order, and its cursor is what clients already hold: the
 * base64url JSON tuple of the last row's key.
 */
type Item = Record<string, unknown>;

const LISTS: readonly { path: string; key: (item: Item) => unknown[] }[] = [
  { path: '/v1/api-keys', key: (i) => [i.createdAt, i.id] },
  { path: '/v1/policies', key: (i) => [i.createdAt, i.id] },
  { path: '/v1/policies/versions', key: (i) => [i.version] },
  { path: '/v1/users', key: (i) => [i.email, i.id] },
  { path: '/v1/roles', key: (i) => [i.createdAt, i.id] },
  { path: '/v1/virtual-servers', key: (i) => [i.createdAt, i.id] },
];

const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

describe('keyset pages', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof userWithRoles>>;

  beforeAll(async () => {
    t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
    owner = await userWithRoles(t.sc, t.orgId, 'owner@example.com', ['owner']);
    const post = (url: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url, headers: owner.as(), payload });
    for (const n of ['a', 'b', 'c']) {
      expect((await post('/v1/api-keys', { name: `key ${n}`, scopes: ['read'] })).statusCode).toBe(201);
      await userWithRoles(t.sc, t.orgId, `${n}@example.com`, ['viewer']);
      const policy = 'permit (principal, action == SprintConnect::Action::"servers:read", resource);';
      expect((await post('/v1/policies', { name: `p-${n}`, policy })).statusCode).toBe(201);
      expect((await post('/v1/roles', { name: `role-${n}`, permissions: ['servers:read'] })).statusCode).toBe(
        201,
      );
      const endpoint = { slug: `endpoint-${n}`, name: `endpoint ${n}`, members: [{ tag: 'none-yet' }] };
      expect((await post('/v1/virtual-servers', endpoint)).statusCode).toBe(201);
    }
  });
  afterAll(() => t.stop());

  const get = async (url: string) => {
    const res = await t.app.inject({ url, headers: owner.as() });
    expect(res.statusCode, url).toBe(200);
    return res.json() as { items: Item[]; nextCursor: string | null };
  };

  for (const { path, key } of LISTS) {
    it(`${path} pages through every row once, in order, with the last row's key as cursor`, async () => {
      const all = (await get(`${path}?limit=200`)).items;
      expect(all.length).toBeGreaterThanOrEqual(3);
      const walked: Item[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Item[]; nextCursor: string | null } = await get(
          `${path}?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        walked.push(...page.items);
        if (page.nextCursor !== null) expect(decode(page.nextCursor)).toEqual(key(page.items.at(-1)!));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(walked).toEqual(all);
    });
  }
});
