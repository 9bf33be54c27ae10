import { delimiter } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../../apps/server/test/idp/oidc-idp.ts';
import { type CliServer, cli, ROOT, runProcess, startCliServer } from './testing/cli-process.ts';

/**
 * Issue 10 point 8, the organization's settings through the real binary against a real server: egress,
 * trusted-issuers, quotas, budget and sso, each with `--json` equal to the API's body and a problem exiting
 * 1; and the README's invocation, `npx sprintconnect`, from a shell whose PATH knows nothing of this repo.
 */
let s: CliServer;
let idp: TestIdp;

beforeAll(async () => {
  s = await startCliServer();
  idp = await startTestIdp({
    redirectUri: `${s.url}/auth/sso/callback`,
    account: { sub: 'alice', email: 'alice@example.com', name: 'Alice' },
  });
});

afterAll(async () => {
  await idp?.close();
  await s?.stop();
});

const run = (args: string[], env: Record<string, string> = s.env) => cli(args, env);
const ok = async (args: string[], env: Record<string, string> = s.env) => {
  const r = await run(args, env);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout);
};
const problem = /^error: .+ \([a-z_]+\): /;

describe('egress', () => {
  it('set replaces the rules, show and check are the API bodies, check names the deciding rule', async () => {
    const set = await ok([
      'egress',
      'set',
      '--deny',
      'evil.example.com',
      '--denied-port',
      '25',
      '--rate-limit',
      '120',
      '--json',
    ]);
    expect(set).toEqual((await s.api('GET', '/v1/egress-policy')).body);
    expect(set).toMatchObject({
      allow: [],
      deny: ['evil.example.com'],
      deniedPorts: [25],
      rateLimitPerMinute: 120,
    });
    expect(await ok(['egress', 'show', '--json'])).toEqual(set);
    const check = await ok(['egress', 'check', 'https://evil.example.com/mcp', '--json']);
    expect(check).toEqual(
      (await s.api('POST', '/v1/egress-policy/check', { url: 'https://evil.example.com/mcp' })).body,
    );
    expect(check).toMatchObject({ allowed: false, rule: 'denylist:evil.example.com' });
  });

  it('a bad entry prints the problem at its pointer, exit 1, and changes nothing', async () => {
    const before = (await s.api('GET', '/v1/egress-policy')).body;
    const r = await run(['egress', 'set', '--allow', 'not a host!']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toMatch(/^ {2}- body \/allow\/0: /m);
    expect((await s.api('GET', '/v1/egress-policy')).body).toEqual(before);
  });
});

describe('trusted-issuers', () => {
  it('add, list (the API body), remove by issuer URL', async () => {
    const issuer = `${idp.issuer}/tenant-a`;
    const added = await ok([
      'trusted-issuers',
      'add',
      '--issuer',
      issuer,
      '--audience',
      'api://sprintconnect',
      '--jwks-uri',
      `${idp.issuer}/jwks`,
      '--json',
    ]);
    expect(added).toMatchObject({ issuer, audience: 'api://sprintconnect' });
    expect(await ok(['trusted-issuers', 'list', '--json'])).toEqual(
      (await s.api('GET', '/v1/trusted-issuers')).body,
    );
    const removed = await run(['trusted-issuers', 'remove', issuer]);
    expect(removed.stdout).toBe(`removed trusted issuer ${issuer} (${added.id})\n`);
    expect((await s.api('GET', '/v1/trusted-issuers')).body.items).toEqual([]);
  });

  it('an issuer that is not https is the problem, exit 1', async () => {
    const r = await run([
      'trusted-issuers',
      'add',
      '--issuer',
      'ftp://idp.example.com',
      '--audience',
      'a',
      '--jwks-uri',
      'https://idp.example.com/jwks',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(problem);
  });
});

describe('quotas and budget', () => {
  it('quotas list is the API body; set overrides one limit, `default` returns it', async () => {
    expect(await ok(['quotas', 'list', '--json'])).toEqual((await s.api('GET', '/v1/quotas')).body);
    const set = await ok(['quotas', 'set', 'servers', '7', '--json']);
    expect(set).toMatchObject({ name: 'servers', limit: 7, overridden: true });
    const listed = (await s.api('GET', '/v1/quotas')).body.items.find(
      (q: { name: string }) => q.name === 'servers',
    );
    expect(set).toEqual(listed);
    expect(await ok(['quotas', 'set', 'servers', 'default', '--json'])).toMatchObject({ overridden: false });
  });

  it('an unknown quota is the 404 problem, exit 1', async () => {
    const r = await run(['quotas', 'set', 'no_such_quota', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(problem);
  });

  it('budget set and show: the API body (its counters aside, which move with every call)', async () => {
    const set = await ok(['budget', 'set', '--limit', '200000', '--mode', 'block', '--json']);
    expect(set).toMatchObject({ limit: 200000, mode: 'block', overridden: true });
    const counters = ({ used: _u, remaining: _r, percent: _p, ...b }: Record<string, unknown>) => b;
    expect(counters(await ok(['budget', 'show', '--json']))).toEqual(
      counters((await s.api('GET', '/v1/budget')).body),
    );
    const tooBig = await run(['budget', 'set', '--limit', '9999999999999']);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(problem);
  });
});

describe('sso', () => {
  it('show before any configuration is the 404 problem, exit 1; set discovers the provider; show is the API body', async () => {
    const none = await run(['sso', 'show']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(problem);
    const env = { ...s.env, IDP_SECRET: idp.clientSecret };
    const set = await ok(
      [
        'sso',
        'set',
        '--issuer',
        idp.issuer,
        '--client-id',
        idp.clientId,
        '--client-secret-env',
        'IDP_SECRET',
        '--allowed-domain',
        'example.com',
        '--json',
      ],
      env,
    );
    expect(set).toMatchObject({
      issuer: idp.issuer,
      clientSecretSet: true,
      allowedEmailDomains: ['example.com'],
    });
    expect(JSON.stringify(set)).not.toContain(idp.clientSecret);
    expect(await ok(['sso', 'show', '--json'])).toEqual((await s.api('GET', '/v1/sso')).body);
  });
});

describe("the README's invocation", () => {
  it('`npx sprintconnect ... --json` from the repository root prints only parseable JSON, with a PATH that lacks the repo', async () => {
    // A shell as a new user has it after `npm install`: no node_modules/.bin on the PATH, maybe an older Node.
    const PATH = (process.env['PATH'] ?? '')
      .split(delimiter)
      .filter((d) => !d.includes('node_modules'))
      .join(delimiter);
    const r = await runProcess('npx', ['sprintconnect', 'servers', 'list', '--json'], {
      ...s.env,
      PATH,
      HOME: process.env['HOME'] ?? ROOT,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual((await s.api('GET', '/v1/servers')).body);
  });
});
