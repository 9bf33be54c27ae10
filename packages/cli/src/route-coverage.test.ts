import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run.ts';
import { testDeps } from './testing/fake-api.ts';

/**
 * Issue 10 point 8: "the CLI covers what the API does". Every /v1 route the server declares (read from its
 * route files, so a new route fails this test until a command calls it) is called by the command line listed
 * for it here. `/auth/*` (browser sign-in) and `/api/cron/*` (CRON_SECRET, for schedulers) are not /v1 routes.
 */
const ID = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e';
const SERVER_ROUTES = join(import.meta.dirname, '..', '..', '..', 'apps', 'server', 'src');

const COMMANDS: Record<string, string[]> = {
  'GET /v1/me': ['whoami', '--json'],
  'GET /v1/servers': ['servers', 'list', '--json'],
  'POST /v1/servers': ['servers', 'register', '--name', 'n', '--url', 'https://m/mcp', '--json'],
  'GET /v1/servers/{}': ['servers', 'show', ID, '--json'],
  'PATCH /v1/servers/{}': ['servers', 'update', ID, '--description', 'd', '--json'],
  'DELETE /v1/servers/{}': ['servers', 'delete', ID],
  'POST /v1/servers/{}/discover': ['servers', 'discover', ID, '--json'],
  'GET /v1/servers/{}/capabilities': ['servers', 'show', ID, '--json'],
  'GET /v1/servers/{}/capabilities/versions': ['servers', 'versions', ID, '--json'],
  'GET /v1/servers/{}/capabilities/diff': ['servers', 'diff', ID, '--from', '1', '--to', '2', '--json'],
  'PUT /v1/servers/{}/manifest': [
    'servers',
    'manifest',
    'submit',
    ID,
    '--file',
    import.meta.filename,
    '--json',
  ],
  'GET /v1/servers/{}/manifest': ['servers', 'manifest', 'show', ID, '--json'],
  'GET /v1/servers/{}/manifests': ['servers', 'manifest', 'versions', ID, '--json'],
  'POST /v1/servers/{}/manifest/rollback': ['servers', 'manifest', 'rollback', ID, '--json'],
  'GET /v1/servers/{}/manifest/drift': ['servers', 'manifest', 'drift', ID, '--json'],
  'GET /v1/discovery/servers': ['search', 'weather', '--json'],
  'GET /v1/jobs/{}': ['jobs', 'show', ID, '--json'],
  'GET /v1/api-keys': ['api-keys', 'list', '--json'],
  'POST /v1/api-keys': ['api-keys', 'create', '--name', 'n', '--scope', 'read', '--json'],
  'GET /v1/api-keys/{}': ['api-keys', 'show', ID, '--json'],
  'PATCH /v1/api-keys/{}': ['api-keys', 'update', ID, '--rate-limit', '60', '--json'],
  'DELETE /v1/api-keys/{}': ['api-keys', 'revoke', ID],
  'GET /v1/oauth-clients': ['oauth-clients', 'list', '--json'],
  'POST /v1/oauth-clients': ['oauth-clients', 'create', '--name', 'n', '--scope', 'read', '--json'],
  'DELETE /v1/oauth-clients/{}': ['oauth-clients', 'delete', 'scc_AAAAAAAAAAAAAAAA'],
  'GET /v1/trusted-issuers': ['trusted-issuers', 'list', '--json'],
  'POST /v1/trusted-issuers': [
    'trusted-issuers',
    'add',
    '--issuer',
    'https://i',
    '--audience',
    'a',
    '--jwks-uri',
    'https://i/k',
    '--json',
  ],
  'DELETE /v1/trusted-issuers/{}': ['trusted-issuers', 'remove', ID],
  'GET /v1/roles': ['roles', 'list', '--json'],
  'POST /v1/roles': ['roles', 'create', '--name', 'r', '--json'],
  'GET /v1/roles/{}': ['roles', 'show', ID, '--json'],
  'PATCH /v1/roles/{}': ['roles', 'update', ID, '--description', 'd', '--json'],
  'DELETE /v1/roles/{}': ['roles', 'delete', ID],
  'GET /v1/users': ['users', 'list', '--json'],
  'GET /v1/users/{}': ['users', 'show', ID, '--json'],
  'PUT /v1/users/{}/roles': ['users', 'set-roles', ID, 'viewer', '--json'],
  'POST /v1/users': ['users', 'invite', '--email', 'a@example.com', '--role', 'viewer', '--json'],
  'POST /v1/users/{}/invitation': ['users', 'reinvite', ID, '--json'],
  'POST /v1/users/{}/deactivate': ['users', 'deactivate', ID, '--json'],
  'POST /v1/users/{}/reactivate': ['users', 'reactivate', ID, '--json'],
  'GET /v1/policies': ['policies', 'list', '--json'],
  'POST /v1/policies': ['policies', 'apply', import.meta.filename, '--name', 'p', '--json'],
  'GET /v1/policies/{}': ['policies', 'show', ID, '--json'],
  'PUT /v1/policies/{}': ['policies', 'disable', ID],
  'DELETE /v1/policies/{}': ['policies', 'delete', ID],
  'GET /v1/policies/effective': ['policies', 'effective', '--json'],
  'GET /v1/policies/versions': ['policies', 'versions', '--json'],
  'POST /v1/policies/versions/{}/restore': ['policies', 'restore', '1', '--json'],
  'POST /v1/policies/dry-run': [
    'policies',
    'dry-run',
    '--action',
    'servers:read',
    '--resource',
    'org',
    '--json',
  ],
  'GET /v1/egress-policy': ['egress', 'show', '--json'],
  'PUT /v1/egress-policy': ['egress', 'set', '--deny', 'x.example.com', '--json'],
  'POST /v1/egress-policy/check': ['egress', 'check', 'https://x.example.com', '--json'],
  'GET /v1/trust/keys': ['trust', 'keys', 'list', '--json'],
  'POST /v1/trust/keys': [
    'trust',
    'keys',
    'add',
    '--issuer',
    'i',
    '--jwk-file',
    join(import.meta.dirname, '..', 'package.json'),
    '--json',
  ],
  'DELETE /v1/trust/keys/{}': ['trust', 'keys', 'remove', ID],
  'GET /v1/trust/settings': ['trust', 'settings', 'show', '--json'],
  'PUT /v1/trust/settings': ['trust', 'settings', 'set', '--require-signed-manifests', '--json'],
  'GET /v1/quotas': ['quotas', 'list', '--json'],
  'PUT /v1/quotas/{}': ['quotas', 'set', 'servers', '10', '--json'],
  'GET /v1/budget': ['budget', 'show', '--json'],
  'PUT /v1/budget': ['budget', 'set', '--limit', '10', '--json'],
  'GET /v1/usage': ['usage', 'list', '--tool', 'echo', '--json'],
  'GET /v1/usage/summary': ['usage', 'summary', '--group-by', 'day', '--json'],
  'GET /v1/sso': ['sso', 'show', '--json'],
  'PUT /v1/sso': ['sso', 'set', '--issuer', 'https://i', '--client-id', 'c', '--json'],
  'GET /v1/virtual-servers': ['virtual-servers', 'list', '--json'],
  'POST /v1/virtual-servers': [
    'virtual-servers',
    'create',
    '--slug',
    's',
    '--name',
    'n',
    '--tag',
    't',
    '--json',
  ],
  'GET /v1/virtual-servers/{}': ['virtual-servers', 'show', ID, '--json'],
  'PATCH /v1/virtual-servers/{}': ['virtual-servers', 'update', ID, '--disable', '--json'],
  'DELETE /v1/virtual-servers/{}': ['virtual-servers', 'delete', ID],
  'POST /v1/virtual-servers/{}/approvals': [
    'virtual-servers',
    'approve',
    ID,
    '--server',
    ID,
    '--version',
    '3',
    '--json',
  ],
};

/** `METHOD /v1/path` of every route the server's route files declare, path parameters as `{}`. */
function serverRoutes(): string[] {
  const files = readdirSync(SERVER_ROUTES, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.routes.ts'),
  );
  const routes = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(SERVER_ROUTES, f), 'utf8');
    for (const m of text.matchAll(/\bapp\.(get|post|put|patch|delete)\(\s*'(\/v1\/[^']+)'/g)) {
      routes.add(`${m[1]!.toUpperCase()} ${m[2]!.replace(/:[A-Za-z]+/g, '{}')}`);
    }
  }
  return [...routes].sort();
}

/** Answers every request with a body most commands can print, and records `METHOD /path` with ids as `{}`. */
function anyRoute() {
  const called = new Set<string>();
  const body = { items: [], nextCursor: null, id: ID, currentVersion: 1, policies: [], version: 1 };
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const path = new URL(String(input)).pathname
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{}')
      .replace(/scc_[A-Za-z0-9_-]+/, '{}')
      .replace(/\/(quotas|versions)\/[^/]+/, '/$1/{}');
    called.add(`${init.method ?? 'GET'} ${path}`);
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch, called };
}

describe('the CLI covers the API', () => {
  it('every /v1 route of the server has a command here (and nothing here is not a route)', () => {
    const routes = serverRoutes();
    expect(routes.length).toBeGreaterThan(50);
    expect(Object.keys(COMMANDS).sort()).toEqual(routes);
  });

  it.each(Object.entries(COMMANDS))('%s is called by `sprintconnect %s`', async (route, argv) => {
    const api = anyRoute();
    const { deps } = testDeps({ fetch: api.fetch, env: { SPRINTCONNECT_API_KEY: 'k' } });
    await run(argv, deps);
    expect([...api.called]).toContain(route);
  });
});
