import { describe, expect, it } from 'vitest';
import type { SprintConnectClient } from './client.ts';
import { createClient } from './client.ts';

interface Seen {
  method: string;
  path: string;
  query: string;
  body: unknown;
}

function recordingClient() {
  const seen: Seen[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    seen.push({
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return new Response(JSON.stringify({ items: [], nextCursor: null }), {
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { c: createClient({ baseUrl: 'http://x', apiKey: 'k', fetch }), seen };
}

const ID = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e';

// Each SDK method and the route of the server it must call (apps/server/src/modules/*/*.routes.ts).
const CASES: [string, (c: SprintConnectClient) => Promise<unknown>, string, unknown?][] = [
  ['apiKeys.list', (c) => c.apiKeys.list({ state: 'active' }), 'GET /v1/api-keys?state=active'],
  ['apiKeys.get', (c) => c.apiKeys.get(ID), `GET /v1/api-keys/${ID}`],
  [
    'apiKeys.create',
    (c) => c.apiKeys.create({ name: 'n', scopes: ['read'] }),
    'POST /v1/api-keys',
    { name: 'n', scopes: ['read'] },
  ],
  ['apiKeys.revoke', (c) => c.apiKeys.revoke(ID), `DELETE /v1/api-keys/${ID}`],
  ['roles.list', (c) => c.roles.list(), 'GET /v1/roles'],
  [
    'roles.create',
    (c) => c.roles.create({ name: 'r', permissions: [] }),
    'POST /v1/roles',
    { name: 'r', permissions: [] },
  ],
  [
    'roles.update',
    (c) => c.roles.update(ID, { description: 'd' }),
    `PATCH /v1/roles/${ID}`,
    { description: 'd' },
  ],
  ['roles.delete', (c) => c.roles.delete(ID), `DELETE /v1/roles/${ID}`],
  ['users.list', (c) => c.users.list({ role: 'viewer' }), 'GET /v1/users?role=viewer'],
  ['users.get', (c) => c.users.get(ID), `GET /v1/users/${ID}`],
  ['users.setRoles', (c) => c.users.setRoles(ID, ['a']), `PUT /v1/users/${ID}/roles`, { roles: ['a'] }],
  [
    'users.invite',
    (c) => c.users.invite({ email: 'a@b.c', roles: ['viewer'] }),
    'POST /v1/users',
    { email: 'a@b.c', roles: ['viewer'] },
  ],
  ['users.reinvite', (c) => c.users.reinvite(ID), `POST /v1/users/${ID}/invitation`],
  ['users.deactivate', (c) => c.users.deactivate(ID), `POST /v1/users/${ID}/deactivate`],
  ['users.reactivate', (c) => c.users.reactivate(ID), `POST /v1/users/${ID}/reactivate`],
  ['policies.list', (c) => c.policies.list(), 'GET /v1/policies'],
  ['policies.get', (c) => c.policies.get(ID), `GET /v1/policies/${ID}`],
  [
    'policies.create',
    (c) => c.policies.create({ name: 'p', policy: 'P' }),
    'POST /v1/policies',
    { name: 'p', policy: 'P' },
  ],
  [
    'policies.update',
    (c) => c.policies.update(ID, { enabled: false }),
    `PUT /v1/policies/${ID}`,
    { enabled: false },
  ],
  ['policies.delete', (c) => c.policies.delete(ID), `DELETE /v1/policies/${ID}`],
  ['policies.effective', (c) => c.policies.effective(), 'GET /v1/policies/effective'],
  ['policies.versions', (c) => c.policies.versions({ limit: 2 }), 'GET /v1/policies/versions?limit=2'],
  ['policies.restore', (c) => c.policies.restore(3), 'POST /v1/policies/versions/3/restore'],
  [
    'policies.dryRun',
    (c) => c.policies.dryRun({ action: 'a', resource: { type: 'org' } }),
    'POST /v1/policies/dry-run',
    { action: 'a', resource: { type: 'org' } },
  ],
  ['egress.get', (c) => c.egress.get(), 'GET /v1/egress-policy'],
  ['egress.put', (c) => c.egress.put({ deny: ['x'] }), 'PUT /v1/egress-policy', { deny: ['x'] }],
  ['egress.check', (c) => c.egress.check('https://u'), 'POST /v1/egress-policy/check', { url: 'https://u' }],
  ['oauthClients.list', (c) => c.oauthClients.list(), 'GET /v1/oauth-clients'],
  [
    'oauthClients.create',
    (c) => c.oauthClients.create({ name: 'c', scopes: ['read'] }),
    'POST /v1/oauth-clients',
    { name: 'c', scopes: ['read'] },
  ],
  ['oauthClients.delete', (c) => c.oauthClients.delete('scc_1'), 'DELETE /v1/oauth-clients/scc_1'],
  ['trustedIssuers.list', (c) => c.trustedIssuers.list(), 'GET /v1/trusted-issuers'],
  [
    'trustedIssuers.add',
    (c) => c.trustedIssuers.add({ issuer: 'i', audience: 'a', jwksUri: 'j' }),
    'POST /v1/trusted-issuers',
    { issuer: 'i', audience: 'a', jwksUri: 'j' },
  ],
  ['trustedIssuers.remove', (c) => c.trustedIssuers.remove(ID), `DELETE /v1/trusted-issuers/${ID}`],
  ['trust.keys.list', (c) => c.trust.keys.list(), 'GET /v1/trust/keys'],
  [
    'trust.keys.add',
    (c) => c.trust.keys.add({ issuer: 'i', jwk: {} }),
    'POST /v1/trust/keys',
    { issuer: 'i', jwk: {} },
  ],
  ['trust.keys.remove', (c) => c.trust.keys.remove(ID), `DELETE /v1/trust/keys/${ID}`],
  ['trust.settings.get', (c) => c.trust.settings.get(), 'GET /v1/trust/settings'],
  [
    'trust.settings.set',
    (c) => c.trust.settings.set({ requireSignedManifests: true }),
    'PUT /v1/trust/settings',
    { requireSignedManifests: true },
  ],
  ['manifests.current', (c) => c.manifests.current(ID), `GET /v1/servers/${ID}/manifest`],
  [
    'manifests.submit',
    (c) => c.manifests.submit(ID, 'a.b.c'),
    `PUT /v1/servers/${ID}/manifest`,
    { manifest: 'a.b.c' },
  ],
  ['manifests.versions', (c) => c.manifests.versions(ID), `GET /v1/servers/${ID}/manifests`],
  ['manifests.rollback', (c) => c.manifests.rollback(ID), `POST /v1/servers/${ID}/manifest/rollback`],
  ['manifests.drift', (c) => c.manifests.drift(ID), `GET /v1/servers/${ID}/manifest/drift`],
  [
    'capabilities.versions',
    (c) => c.capabilities.versions(ID, { limit: 5 }),
    `GET /v1/servers/${ID}/capabilities/versions?limit=5`,
  ],
  [
    'servers.update',
    (c) => c.servers.update(ID, { description: 'd' }),
    `PATCH /v1/servers/${ID}`,
    { description: 'd' },
  ],
  ['quotas.list', (c) => c.quotas.list(), 'GET /v1/quotas'],
  ['usage.list', (c) => c.usage.list({ tool: 'echo', limit: 5 }), 'GET /v1/usage?tool=echo&limit=5'],
  [
    'usage.summary',
    (c) => c.usage.summary({ groupBy: 'day', from: '2026-12-01T00:00:00Z' }),
    'GET /v1/usage/summary?groupBy=day&from=2026-12-01T00%3A00%3A00Z',
  ],
  ['quotas.set', (c) => c.quotas.set('servers', null), 'PUT /v1/quotas/servers', { limit: null }],
  ['budget.get', (c) => c.budget.get(), 'GET /v1/budget'],
  [
    'budget.set',
    (c) => c.budget.set({ limit: 5, mode: 'block' }),
    'PUT /v1/budget',
    { limit: 5, mode: 'block' },
  ],
  ['sso.get', (c) => c.sso.get(), 'GET /v1/sso'],
  [
    'sso.put',
    (c) => c.sso.put({ issuer: 'i', clientId: 'c' }),
    'PUT /v1/sso',
    { issuer: 'i', clientId: 'c' },
  ],
  ['virtualServers.list', (c) => c.virtualServers.list({ limit: 5 }), 'GET /v1/virtual-servers?limit=5'],
  ['virtualServers.get', (c) => c.virtualServers.get(ID), `GET /v1/virtual-servers/${ID}`],
  [
    'virtualServers.create',
    (c) => c.virtualServers.create({ slug: 's', name: 'n', members: [{ tag: 't' }] }),
    'POST /v1/virtual-servers',
    { slug: 's', name: 'n', members: [{ tag: 't' }] },
  ],
  [
    'virtualServers.update',
    (c) => c.virtualServers.update(ID, { enabled: false }),
    `PATCH /v1/virtual-servers/${ID}`,
    { enabled: false },
  ],
  ['virtualServers.delete', (c) => c.virtualServers.delete(ID), `DELETE /v1/virtual-servers/${ID}`],
  [
    'virtualServers.approve',
    (c) => c.virtualServers.approve(ID, { serverId: ID, version: 3 }),
    `POST /v1/virtual-servers/${ID}/approvals`,
    { serverId: ID, version: 3 },
  ],
];

describe('every SDK method calls its route', () => {
  it.each(CASES)('%s', async (_name, call, route, body) => {
    const { c, seen } = recordingClient();
    await call(c);
    expect(seen).toHaveLength(1);
    expect(`${seen[0]!.method} ${seen[0]!.path}${seen[0]!.query}`).toBe(route);
    expect(seen[0]!.body).toEqual(body);
  });
});

describe('all() helpers', () => {
  it('follow nextCursor with the filter kept (api keys, users, policy versions)', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [1], nextCursor: 'c2' },
      c2: { items: [2], nextCursor: null },
    };
    const seen: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      seen.push(url.pathname + url.search);
      return new Response(JSON.stringify(pages[url.searchParams.get('cursor') ?? '']), {
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof globalThis.fetch;
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch });
    const got: unknown[] = [];
    for await (const k of c.apiKeys.all({ state: 'active' })) got.push(k);
    for await (const v of c.policies.allVersions()) got.push(v);
    expect(got).toEqual([1, 2, 1, 2]);
    expect(seen).toEqual([
      '/v1/api-keys?state=active',
      '/v1/api-keys?state=active&cursor=c2',
      '/v1/policies/versions',
      '/v1/policies/versions?cursor=c2',
    ]);
  });
});
