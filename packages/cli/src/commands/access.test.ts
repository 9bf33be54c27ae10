import { describe, expect, it } from 'vitest';
import { run } from '../run.ts';
import { fakeApi, testDeps } from '../testing/fake-api.ts';

const KEY_ID = '0190a3c2-6a1e-7b4c-9d2f-0000000000a1';
const ROLE_ID = '0190a3c2-6a1e-7b4c-9d2f-0000000000b1';
const USER_ID = '0190a3c2-6a1e-7b4c-9d2f-0000000000c1';
const T = '2025-01-01T00:00:00.000Z';

const key = (over: Record<string, unknown> = {}) => ({
  id: KEY_ID,
  name: 'ci-deploy',
  description: '',
  scopes: ['servers:write'],
  roles: [],
  rateLimit: null,
  prefix: 'sck_ab12',
  state: 'active',
  createdBy: 'api_key:x',
  createdAt: T,
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  links: { self: `/v1/api-keys/${KEY_ID}` },
  ...over,
});
const role = (over: Record<string, unknown> = {}) => ({
  id: ROLE_ID,
  name: 'release-manager',
  description: '',
  builtIn: false,
  extends: 'engineer',
  extendsRoleId: null,
  permissions: ['audit:read'],
  effectivePermissions: ['audit:read', 'servers:read'],
  createdAt: T,
  updatedAt: T,
  links: { self: `/v1/roles/${ROLE_ID}` },
  ...over,
});
const user = (over: Record<string, unknown> = {}) => ({
  id: USER_ID,
  email: 'ada@example.com',
  name: 'Ada',
  status: 'active',
  roles: ['viewer'],
  effectivePermissions: ['servers:read'],
  createdAt: T,
  updatedAt: T,
  lastLoginAt: null,
  links: { self: `/v1/users/${USER_ID}`, roles: `/v1/users/${USER_ID}/roles` },
  ...over,
});

describe('api-keys', () => {
  it('create sends name, scopes (repeated and comma-separated, deduplicated) and expiry; prints the key once', async () => {
    const api = fakeApi({ 'POST /v1/api-keys': { status: 201, body: { ...key(), token: 'sck_secret' } } });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    const argv = ['api-keys', 'create', '--name', 'ci', '--scope', 'read', '--scope', 'servers:write,read'];
    expect(await run([...argv, '--expires-in-days', '90'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      name: 'ci',
      scopes: ['read', 'servers:write'],
      expiresInDays: 90,
    });
    expect(stdout.text()).toMatch(/^Key {2}sck_secret$/m);
    expect(stderr.text()).toContain('cannot show it again');
  });

  it('create sends roles (repeated and comma-separated) and the key’s own rate limit; roles alone need no scope', async () => {
    const created = {
      ...key({ scopes: [], roles: ['analyst', 'auditor'], rateLimit: 60 }),
      token: 'sck_secret',
    };
    const api = fakeApi({ 'POST /v1/api-keys': { status: 201, body: created } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    const argv = ['api-keys', 'create', '--name', 'audit', '--role', 'analyst', '--role', 'auditor,analyst'];
    expect(await run([...argv, '--rate-limit', '60'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      name: 'audit',
      scopes: [],
      roles: ['analyst', 'auditor'],
      rateLimit: 60,
    });
    expect(stdout.text()).toMatch(/^Roles\s+analyst, auditor$/m);
    expect(stdout.text()).toMatch(/^Rate limit\s+60 requests per minute$/m);
  });

  it('update sets the rate limit, or `default` sends null; revoke --force asks for ?force=true', async () => {
    const api = fakeApi({
      [`PATCH /v1/api-keys/${KEY_ID}`]: { body: key({ rateLimit: 1200 }) },
      [`DELETE /v1/api-keys/${KEY_ID}`]: { status: 204 },
    });
    expect(
      await run(['api-keys', 'update', KEY_ID, '--rate-limit', '1200'], testDeps({ fetch: api.fetch }).deps),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({ rateLimit: 1200 });
    await run(['api-keys', 'update', KEY_ID, '--rate-limit', 'default'], testDeps({ fetch: api.fetch }).deps);
    expect(api.requests[1]!.body).toEqual({ rateLimit: null });
    expect(await run(['api-keys', 'revoke', KEY_ID, '--force'], testDeps({ fetch: api.fetch }).deps)).toBe(0);
    expect(api.requests[2]!.url.searchParams.get('force')).toBe('true');
    await run(['api-keys', 'revoke', KEY_ID], testDeps({ fetch: api.fetch }).deps);
    expect(api.requests[3]!.url.searchParams.has('force')).toBe(false);
  });

  it.each([
    [['api-keys', 'create', '--name', 'x', '--scope', 'root']],
    [['api-keys', 'create', '--name', 'x']],
    [['api-keys', 'create', '--name', 'x', '--scope', 'read', '--expires-at', T, '--expires-in-days', '3']],
    [['api-keys', 'create', '--name', 'x', '--role', 'viewer', '--rate-limit', '0']],
    [['api-keys', 'update', KEY_ID, '--rate-limit', 'lots']],
    [['api-keys', 'list', '--state', 'gone']],
  ])('exits 2 without a request for %j', async (argv) => {
    const api = fakeApi({});
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(argv, deps)).toBe(2);
    expect(api.requests).toHaveLength(0);
  });

  it('revoke by name looks among active keys and revokes that id; list prints a table, --json the page', async () => {
    const api = fakeApi({
      'GET /v1/api-keys': { body: { items: [key(), key({ id: 'other', name: 'other' })], nextCursor: null } },
      [`DELETE /v1/api-keys/${KEY_ID}`]: { status: 204 },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['api-keys', 'revoke', 'ci-deploy'], deps)).toBe(0);
    expect(api.requests[0]!.url.searchParams.get('state')).toBe('active');
    expect(api.requests[1]!.method).toBe('DELETE');
    expect(stdout.text()).toBe(`revoked API key ci-deploy (${KEY_ID})\n`);
    const list = testDeps({ fetch: api.fetch });
    expect(await run(['api-keys', 'list'], list.deps)).toBe(0);
    expect(list.stdout.text().split('\n')[0]).toMatch(
      /^ID\s+NAME\s+PREFIX\s+SCOPES\s+ROLES\s+STATE\s+EXPIRES\s+LAST USED$/,
    );
    const json = testDeps({ fetch: api.fetch });
    await run(['api-keys', 'list', '--json'], json.deps);
    expect(JSON.parse(json.stdout.text()).items).toHaveLength(2);
  });
});

describe('oauth-clients', () => {
  it('create sends scopes, roles and dpop; prints the secret with a warning on stderr', async () => {
    const created = {
      clientId: 'scc_AAAAAAAAAAAAAAAA',
      clientSecret: 's3',
      name: 'gh',
      scopes: ['read'],
      roles: ['viewer'],
      dpopBound: true,
      tokenEndpoint: 'http://x/oidc/token',
    };
    const api = fakeApi({ 'POST /v1/oauth-clients': { status: 201, body: created } });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    expect(
      await run(
        ['oauth-clients', 'create', '--name', 'gh', '--scope', 'read', '--role', 'viewer', '--dpop'],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      name: 'gh',
      scopes: ['read'],
      roles: ['viewer'],
      dpopBound: true,
    });
    expect(stdout.text()).toMatch(/^Client secret\s+s3$/m);
    expect(stderr.text()).toContain('not shown again');
  });

  it('delete by name resolves the client id; a client id is used as it is', async () => {
    const api = fakeApi({
      'GET /v1/oauth-clients': {
        body: { items: [{ clientId: 'scc_BBBBBBBBBBBBBBBB', name: 'gh', scopes: [] }] },
      },
      'DELETE /v1/oauth-clients/scc_BBBBBBBBBBBBBBBB': { status: 204 },
    });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['oauth-clients', 'delete', 'gh'], deps)).toBe(0);
    expect(
      await run(['oauth-clients', 'delete', 'scc_BBBBBBBBBBBBBBBB'], testDeps({ fetch: api.fetch }).deps),
    ).toBe(0);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'DELETE', 'DELETE']);
  });
});

describe('whoami', () => {
  const me = {
    id: 'scc_CCCCCCCCCCCCCCCC',
    name: 'github-actions',
    email: null,
    org: { id: USER_ID, slug: 'acme', name: 'Acme' },
    roles: ['viewer'],
    scopes: ['read'],
    authMethod: 'bearer_jwt',
    authTime: null,
  };
  it('names a client or key by its name and id, a person by name and email', async () => {
    const api = fakeApi({
      'GET /v1/me': [
        { body: { ...me, kind: 'client' } },
        { body: { ...me, kind: 'user', id: USER_ID, name: 'Ada', email: 'ada@example.com' } },
      ],
    });
    const first = testDeps({ fetch: api.fetch });
    expect(await run(['whoami'], first.deps)).toBe(0);
    expect(first.stdout.text().split('\n')[0]).toBe('github-actions (OAuth client scc_CCCCCCCCCCCCCCCC)');
    expect(first.stdout.text()).toMatch(/^scopes: {2}read$/m);
    const second = testDeps({ fetch: api.fetch });
    await run(['whoami'], second.deps);
    expect(second.stdout.text().split('\n')[0]).toBe('Ada <ada@example.com> (user)');
  });
});

describe('roles', () => {
  it('create sends permissions, extends and description; update sends only what changes, --no-extends as null', async () => {
    const api = fakeApi({
      'POST /v1/roles': { status: 201, body: role() },
      'GET /v1/roles': { body: { items: [role()], nextCursor: null } },
      [`PATCH /v1/roles/${ROLE_ID}`]: { body: role() },
    });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(
      await run(
        [
          'roles',
          'create',
          '--name',
          'rm',
          '--permission',
          'audit:read,servers:read',
          '--extends',
          'engineer',
        ],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      name: 'rm',
      permissions: ['audit:read', 'servers:read'],
      extends: 'engineer',
    });
    expect(await run(['roles', 'update', 'release-manager', '--no-extends'], deps)).toBe(0);
    expect(api.requests.at(-1)!.body).toEqual({ extends: null });
    expect(
      await run(['roles', 'update', 'release-manager', '--clear-permissions', '--description', 'd'], deps),
    ).toBe(0);
    expect(api.requests.at(-1)!.body).toEqual({ permissions: [], description: 'd' });
    expect(await run(['roles', 'update', 'release-manager'], deps)).toBe(2);
  });
});

describe('users', () => {
  it('set-roles by email sends the complete list; no roles needs --none', async () => {
    const api = fakeApi({
      'GET /v1/users': {
        body: { items: [user(), user({ id: 'x', email: 'ada@example.com.evil' })], nextCursor: null },
      },
      [`PUT /v1/users/${USER_ID}/roles`]: (req) => ({
        body: user({ roles: (req.body as { roles: string[] }).roles }),
      }),
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['users', 'set-roles', 'Ada@Example.com', 'viewer,analyst', 'viewer'], deps)).toBe(0);
    expect(api.requests[0]!.url.searchParams.get('q')).toBe('Ada@Example.com');
    expect(api.requests[1]!.body).toEqual({ roles: ['viewer', 'analyst'] });
    expect(stdout.text()).toBe('ada@example.com now has the roles viewer, analyst\n');
    expect(await run(['users', 'set-roles', USER_ID, '--none'], deps)).toBe(0);
    expect(api.requests.at(-1)!.body).toEqual({ roles: [] });
    const bare = testDeps({ fetch: api.fetch });
    expect(await run(['users', 'set-roles', USER_ID], bare.deps)).toBe(2);
    expect(bare.stderr.text()).toContain('--none');
  });

  it('list passes its filters as query parameters', async () => {
    const api = fakeApi({ 'GET /v1/users': { body: { items: [user()], nextCursor: 'c2' } } });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    expect(
      await run(
        ['users', 'list', '-q', 'ada', '--status', 'active', '--role', 'viewer', '--limit', '5'],
        deps,
      ),
    ).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.url.searchParams)).toEqual({
      q: 'ada',
      status: 'active',
      role: 'viewer',
      limit: '5',
    });
    expect(stdout.text().split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+STATUS\s+ROLES\s+LAST LOGIN$/);
    expect(stderr.text()).toBe('more: add --cursor c2 (or --all)\n');
  });
});
