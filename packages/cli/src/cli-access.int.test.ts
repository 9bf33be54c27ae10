import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../apps/server/test/access-fixtures.ts';
import { type CliServer, cli, startCliServer } from './testing/cli-process.ts';

/**
 * Issue 10 point 8, who may do what, through the real binary against a real server: api-keys, oauth-clients
 * (and `whoami` as a CI client, which shows the client's name), roles, users and policies (apply from a file,
 * dry run, versions, restore). Each group: `--json` equal to the API's body, names resolved, a problem exit 1.
 */
let s: CliServer;
let dir: string;

beforeAll(async () => {
  s = await startCliServer();
  await userWithRoles(s.t.sc, s.t.orgId, 'ada@example.com', ['viewer']);
  dir = mkdtempSync(join(tmpdir(), 'sc-cli-access-'));
});

afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = s.env) => cli(args, env);
const ok = async (args: string[]) => {
  const r = await run(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout);
};
// Written in batches about a second after use, so it moves while the test runs.
const withoutLastUse = (page: { items: Record<string, unknown>[] }) => ({
  ...page,
  items: page.items.map(({ lastUsedAt: _, ...k }) => k),
});

describe('api-keys', () => {
  it('create prints the key once; show by name and list are the API bodies; revoke by name', async () => {
    const created = await ok([
      'api-keys',
      'create',
      '--name',
      'ci-deploy',
      '--scope',
      'servers:read',
      '--json',
    ]);
    expect(created.token).toMatch(/^sck_/);
    const { token: _, ...view } = created;
    expect(await ok(['api-keys', 'show', 'ci-deploy', '--json'])).toEqual(view);
    expect(withoutLastUse(await ok(['api-keys', 'list', '--json']))).toEqual(
      withoutLastUse((await s.api('GET', '/v1/api-keys')).body),
    );
    const revoked = await run(['api-keys', 'revoke', 'ci-deploy']);
    expect(revoked.stdout).toBe(`revoked API key ci-deploy (${created.id})\n`);
    expect((await s.api('GET', `/v1/api-keys/${created.id}`)).body.state).toBe('revoked');
  });

  it('a value the API refuses prints the problem with its field and exits 1; an unknown scope exits 2', async () => {
    const r = await run([
      'api-keys',
      'create',
      '--name',
      'x',
      '--scope',
      'read',
      '--expires-in-days',
      '5000',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(validation_failed\): /);
    expect(r.stderr).toMatch(/^ {2}- body \/expiresInDays: /m);
    const bad = await run(['api-keys', 'create', '--name', 'x', '--scope', 'servers:everything']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown scope "servers:everything"');
  });
});

describe('oauth-clients and whoami as a client', () => {
  it('create, list, whoami with its token shows its name, delete by name', async () => {
    const created = await ok([
      'oauth-clients',
      'create',
      '--name',
      'github-actions',
      '--scope',
      'read',
      '--role',
      'viewer',
      '--json',
    ]);
    expect(created).toMatchObject({ name: 'github-actions', roles: ['viewer'], scopes: ['read'] });
    expect(await ok(['oauth-clients', 'list', '--json'])).toEqual(
      (await s.api('GET', '/v1/oauth-clients')).body,
    );

    const res = await fetch(`${s.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${created.clientId}:${created.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const asClient = { ...s.env, SPRINTCONNECT_API_KEY: token };
    const who = await run(['whoami'], asClient);
    expect(who.code).toBe(0);
    expect(who.stdout.split('\n')[0]).toBe(`github-actions (OAuth client ${created.clientId})`);
    const me = JSON.parse((await run(['whoami', '--json'], asClient)).stdout);
    expect(me).toEqual((await s.api('GET', '/v1/me', undefined, token)).body);
    expect(me).toMatchObject({ kind: 'client', id: created.clientId, name: 'github-actions' });

    expect((await run(['oauth-clients', 'delete', 'github-actions'])).code).toBe(0);
    expect((await s.api('GET', '/v1/oauth-clients')).body.items).toEqual([]);
  });

  it('deleting an unknown client id prints the 404 problem and exits 1', async () => {
    const r = await run(['oauth-clients', 'delete', 'scc_AAAAAAAAAAAAAAAA']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(not_found\): /);
  });
});

describe('roles', () => {
  it('create, show by name, update by name, list, delete: --json is the API body', async () => {
    const role = await ok([
      'roles',
      'create',
      '--name',
      'release-manager',
      '--extends',
      'engineer',
      '--permission',
      'audit:read',
      '--json',
    ]);
    expect(await ok(['roles', 'show', 'release-manager', '--json'])).toEqual(role);
    const updated = await ok([
      'roles',
      'update',
      'release-manager',
      '--description',
      'ships releases',
      '--json',
    ]);
    expect(updated).toEqual((await s.api('GET', `/v1/roles/${role.id}`)).body);
    expect(updated).toMatchObject({
      description: 'ships releases',
      extends: 'engineer',
      permissions: ['audit:read'],
    });
    expect(await ok(['roles', 'list', '--json'])).toEqual((await s.api('GET', '/v1/roles')).body);
    expect((await run(['roles', 'delete', 'release-manager'])).code).toBe(0);
    expect((await s.api('GET', `/v1/roles/${role.id}`)).status).toBe(404);
  });

  it('an unknown permission is the 422 problem, exit 1', async () => {
    const r = await run(['roles', 'create', '--name', 'odd', '--permission', 'servers:fly']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(\w+\): /);
  });
});

describe('users', () => {
  it('list and show by email are the API bodies; set-roles by email replaces the roles', async () => {
    expect(await ok(['users', 'list', '--json'])).toEqual((await s.api('GET', '/v1/users')).body);
    const ada = await ok(['users', 'show', 'ADA@example.com', '--json']);
    expect(ada).toEqual((await s.api('GET', `/v1/users/${ada.id}`)).body);
    const after = await ok(['users', 'set-roles', 'ada@example.com', 'analyst', '--json']);
    expect(after).toEqual((await s.api('GET', `/v1/users/${ada.id}`)).body);
    expect(after.roles).toEqual(['analyst']);
  });

  it('an unknown role is the problem, exit 1; no roles at all needs --none (exit 2)', async () => {
    const r = await run(['users', 'set-roles', 'ada@example.com', 'no-such-role']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(\w+\): /);
    expect((await run(['users', 'set-roles', 'ada@example.com'])).code).toBe(2);
  });

  it('invite prints the link once; the person accepts it; deactivate refuses their sign-in, reactivate restores it', async () => {
    const invited = await run(['users', 'invite', '--email', 'Grace@example.com', '--role', 'engineer']);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toMatch(/Status\s+invited/);
    expect(invited.stderr).toContain('works once');
    const link = /Invitation link\s+(\S+)/.exec(invited.stdout)![1]!;
    expect(link.startsWith(`${s.url}/auth/invitation?token=sci_`)).toBe(true);

    const password = 'a long enough passphrase';
    const token = new URL(link).searchParams.get('token')!;
    const accepted = await fetch(`${s.url}/auth/invitation/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    expect(accepted.status).toBe(200);
    const signIn = () =>
      fetch(`${s.url}/auth/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ org: 'default', email: 'grace@example.com', password }),
      });
    expect((await signIn()).status).toBe(200);

    const off = await run(['users', 'deactivate', 'grace@example.com']);
    expect(off.stdout).toBe('grace@example.com is deactivated\n');
    expect((await signIn()).status).toBe(401);
    const again = await run(['users', 'deactivate', 'grace@example.com', '--json']);
    expect(JSON.parse(again.stdout).status).toBe('disabled');

    expect((await run(['users', 'reactivate', 'grace@example.com'])).stdout).toBe(
      'grace@example.com is active\n',
    );
    expect((await signIn()).status).toBe(200);
  });

  it('inviting an email already used prints the 409 problem and exits 1', async () => {
    const r = await run(['users', 'invite', '--email', 'ada@example.com', '--role', 'viewer']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('user_email_taken');
  });
});

describe('policies', () => {
  const file = () => join(dir, 'no-prod-delete.cedar');
  const text =
    'forbid (principal, action == SprintConnect::Action::"servers:delete", resource is SprintConnect::Server)\nwhen { resource.environment == "production" };';

  it('apply creates from a .cedar file named by the file, leaves it unchanged when applied again, updates it when edited', async () => {
    writeFileSync(file(), text);
    const first = await run(['policies', 'apply', file()]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('created org/no-prod-delete\n');
    expect((await run(['policies', 'apply', file()])).stdout).toBe('unchanged org/no-prod-delete\n');
    writeFileSync(file(), `@reason("production stays")\n${text}`);
    const edited = await ok(['policies', 'apply', file(), '--json']);
    expect(edited.items).toHaveLength(1);
    expect(edited.items[0].action).toBe('updated');
    expect(edited.items[0].policy).toEqual(
      (await s.api('GET', `/v1/policies/${edited.items[0].policy.id}`)).body,
    );
    expect(await ok(['policies', 'show', 'no-prod-delete', '--json'])).toEqual(edited.items[0].policy);
  });

  it('apply --dry-run validates on the server and saves nothing; an invalid policy prints line and column, exit 1', async () => {
    const before = (await s.api('GET', '/v1/policies/versions')).body;
    const bad = join(dir, 'broken.cedar');
    writeFileSync(bad, 'permit (principal, action, resource)\nwhen { resource.nope == 1 };');
    const r = await run(['policies', 'apply', bad, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(policy_invalid\): /m);
    expect(r.stderr).toMatch(/^ {2}- body \/policy: .+\(policy broken, line \d+, column \d+\)$/m);
    writeFileSync(
      join(dir, 'fine.cedar'),
      'permit (principal, action == SprintConnect::Action::"servers:read", resource);',
    );
    const dry = await run(['policies', 'apply', join(dir, 'fine.cedar'), '--dry-run']);
    expect(dry.stdout).toBe('would create org/fine\n');
    expect((await s.api('GET', '/v1/policies/versions')).body).toEqual(before);
    expect((await s.api('GET', '/v1/policies')).body.items.map((p: { name: string }) => p.name)).toEqual([
      'no-prod-delete',
    ]);
  });

  it('versions --json is the API page; restore brings back version 1 as a new version', async () => {
    const versions = await ok(['policies', 'versions', '--json']);
    expect(versions).toEqual((await s.api('GET', '/v1/policies/versions')).body);
    const restored = await ok(['policies', 'restore', '1', '--json']);
    expect(restored).toMatchObject({
      version: versions.items[0].version + 1,
      change: 'policy.restored',
      restoredFrom: 1,
    });
    expect(restored.policies[0].policy).toBe(text);
  });

  it('dry-run names the server and the principal by name and answers as the API does', async () => {
    const server = await s.api('POST', '/v1/servers', {
      name: 'billing',
      url: 'https://billing.example.com/mcp',
      environment: 'production',
      autoDiscover: false,
    });
    const ada = (await s.api('GET', '/v1/users?q=ada')).body.items[0];
    const r = await ok([
      'policies',
      'dry-run',
      '--action',
      'servers:delete',
      '--server',
      'billing',
      '--principal',
      'user:ada@example.com',
      '--json',
    ]);
    const direct = (
      await s.api('POST', '/v1/policies/dry-run', {
        action: 'servers:delete',
        resource: { type: 'server', id: server.body.id },
        principal: { kind: 'user', id: ada.id },
      })
    ).body;
    expect({ ...r, decisionId: null }).toEqual({ ...direct, decisionId: null });
    expect(r.allowed).toBe(false);
    const unknown = await run(['policies', 'dry-run', '--action', 'servers:fly', '--resource', 'org']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .+ \(validation_failed\): /);
  });
});
