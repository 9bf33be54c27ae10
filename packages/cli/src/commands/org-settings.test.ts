import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../run.ts';
import { fakeApi, testDeps } from '../testing/fake-api.ts';
import { JOB_ID, job } from '../testing/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'sc-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const egress = {
  allow: [],
  deny: [],
  deniedPorts: [],
  rateLimitPerMinute: null,
  effectiveRateLimitPerMinute: 600,
  version: 1,
  updatedAt: null,
  updatedBy: null,
};

describe('egress', () => {
  it('set sends the whole policy the flags describe (the rest cleared); `default` rate is null', async () => {
    const api = fakeApi({ 'PUT /v1/egress-policy': { body: egress } });
    const { deps } = testDeps({ fetch: api.fetch });
    const argv = ['egress', 'set', '--allow', '*.example.com,10.0.0.0/8', '--deny', 'a.example.com'];
    expect(await run([...argv, '--denied-port', '25,6000', '--rate-limit', 'default'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      allow: ['*.example.com', '10.0.0.0/8'],
      deny: ['a.example.com'],
      deniedPorts: [25, 6000],
      rateLimitPerMinute: null,
    });
    await run(['egress', 'set'], deps);
    expect(api.requests[1]!.body).toEqual({ allow: [], deny: [], deniedPorts: [] });
  });

  it('set --file sends the file as it is; file and flags together, or a bad port, exit 2', async () => {
    const file = join(dir, 'egress.json');
    writeFileSync(file, JSON.stringify({ deny: ['x.example.com'], rateLimitPerMinute: 10 }));
    const api = fakeApi({ 'PUT /v1/egress-policy': { body: egress } });
    expect(await run(['egress', 'set', '--file', file], testDeps({ fetch: api.fetch }).deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({ deny: ['x.example.com'], rateLimitPerMinute: 10 });
    expect(
      await run(['egress', 'set', '--file', file, '--deny', 'y'], testDeps({ fetch: api.fetch }).deps),
    ).toBe(2);
    expect(await run(['egress', 'set', '--denied-port', '70000'], testDeps({ fetch: api.fetch }).deps)).toBe(
      2,
    );
    expect(api.requests).toHaveLength(1);
  });

  it('check posts the URL and prints the decision with its rule', async () => {
    const check = {
      allowed: false,
      rule: 'denylist:a.example.com',
      code: 'host_denied',
      detail: 'denied',
      addresses: [],
    };
    const api = fakeApi({ 'POST /v1/egress-policy/check': { body: check } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['egress', 'check', 'https://a.example.com/mcp'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({ url: 'https://a.example.com/mcp' });
    expect(stdout.text()).toMatch(/^Decision\s+refused \(host_denied\)$/m);
    expect(stdout.text()).toMatch(/^Rule\s+denylist:a\.example\.com$/m);
  });
});

describe('quotas and budget', () => {
  it('quotas set <name> <limit|default> PUTs the limit or null; other words exit 2', async () => {
    const q = {
      name: 'servers',
      description: 'd',
      kind: 'count',
      limit: 7,
      default: 500,
      overridden: true,
      used: 1,
      remaining: 6,
      period: null,
    };
    const api = fakeApi({ 'PUT /v1/quotas/servers': { body: q } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['quotas', 'set', 'servers', '7'], deps)).toBe(0);
    expect(await run(['quotas', 'set', 'servers', 'default'], deps)).toBe(0);
    expect(api.requests.map((r) => r.body)).toEqual([{ limit: 7 }, { limit: null }]);
    expect(stdout.text()).toMatch(/^servers\s+count\s+1\s+7\*\s+6\s+-\s+d$/m);
    expect(await run(['quotas', 'set', 'servers', 'lots'], testDeps({ fetch: api.fetch }).deps)).toBe(2);
  });

  it('budget set sends limit and mode; `default` with a mode is a usage error', async () => {
    const api = fakeApi({
      'PUT /v1/budget': {
        body: {
          unit: 'api_calls',
          month: '2025-01',
          limit: 5,
          mode: 'block',
          throttlePerMinute: 60,
          overridden: true,
          used: 0,
          remaining: 5,
          percent: 0,
          resetsAt: 't',
          alerts: { at80: null, at100: null },
        },
      },
    });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['budget', 'set', '--limit', '5', '--mode', 'block'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({ limit: 5, mode: 'block' });
    expect(
      await run(
        ['budget', 'set', '--limit', 'default', '--mode', 'block'],
        testDeps({ fetch: api.fetch }).deps,
      ),
    ).toBe(2);
    expect(await run(['budget', 'set', '--limit', 'default'], deps)).toBe(0);
    expect(api.requests.at(-1)!.body).toEqual({ limit: null });
  });
});

describe('trust, trusted issuers and sso', () => {
  it('trust settings set needs a choice; it sends the boolean', async () => {
    const api = fakeApi({ 'PUT /v1/trust/settings': { body: { requireSignedManifests: false } } });
    expect(await run(['trust', 'settings', 'set'], testDeps({ fetch: api.fetch }).deps)).toBe(2);
    expect(
      await run(
        ['trust', 'settings', 'set', '--no-require-signed-manifests'],
        testDeps({ fetch: api.fetch }).deps,
      ),
    ).toBe(0);
    expect(api.requests.map((r) => r.body)).toEqual([{ requireSignedManifests: false }]);
  });

  it('trust keys add reads the JWK file; a file that is not a JWK object exits 2', async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'abc' };
    writeFileSync(join(dir, 'k.json'), JSON.stringify(jwk));
    writeFileSync(join(dir, 'bad.json'), '[1]');
    const api = fakeApi({
      'POST /v1/trust/keys': {
        status: 201,
        body: {
          id: 'i',
          issuer: 'p',
          kid: 'k',
          alg: 'EdDSA',
          jwk,
          thumbprint: 't',
          createdAt: 'c',
          createdBy: 'b',
        },
      },
    });
    expect(
      await run(
        ['trust', 'keys', 'add', '--issuer', 'p', '--jwk-file', join(dir, 'k.json')],
        testDeps({ fetch: api.fetch }).deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({ issuer: 'p', jwk });
    expect(
      await run(
        ['trust', 'keys', 'add', '--issuer', 'p', '--jwk-file', join(dir, 'bad.json')],
        testDeps({ fetch: api.fetch }).deps,
      ),
    ).toBe(2);
    expect(api.requests).toHaveLength(1);
  });

  it('trusted-issuers remove by issuer URL: two entries for it is ambiguous (exit 2)', async () => {
    const entry = (id: string, audience: string) => ({
      id,
      issuer: 'https://idp.example.com',
      audience,
      jwksUri: 'https://idp.example.com/jwks',
    });
    const api = fakeApi({
      'GET /v1/trusted-issuers': {
        body: {
          items: [
            entry('0190a3c2-6a1e-7b4c-9d2f-0000000000e1', 'a'),
            entry('0190a3c2-6a1e-7b4c-9d2f-0000000000e2', 'b'),
          ],
        },
      },
    });
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['trusted-issuers', 'remove', 'https://idp.example.com'], deps)).toBe(2);
    expect(stderr.text()).toContain('2 trusted issuers are with the issuer "https://idp.example.com"');
  });

  it('sso set reads the client secret from the variable it names, never from the command line', async () => {
    const api = fakeApi({
      'PUT /v1/sso': {
        body: {
          issuer: 'https://i',
          clientId: 'c',
          clientSecretSet: true,
          allowedEmailDomains: [],
          redirectUri: 'r',
          loginUrl: 'l',
          endpoints: { authorization: 'a', token: 't' },
          updatedAt: 'u',
        },
      },
    });
    const env = { SPRINTCONNECT_API_KEY: 'k', IDP_SECRET: 'shh' };
    const { deps } = testDeps({ fetch: api.fetch, env });
    expect(
      await run(
        [
          'sso',
          'set',
          '--issuer',
          'https://i',
          '--client-id',
          'c',
          '--client-secret-env',
          'IDP_SECRET',
          '--allowed-domain',
          'example.com',
        ],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      issuer: 'https://i',
      clientId: 'c',
      clientSecret: 'shh',
      allowedEmailDomains: ['example.com'],
    });
    expect(
      await run(
        ['sso', 'set', '--issuer', 'https://i', '--client-id', 'c', '--client-secret-env', 'NOPE'],
        testDeps({ fetch: api.fetch, env }).deps,
      ),
    ).toBe(2);
  });
});

describe('jobs', () => {
  it('show prints the job; a failed one exits 1 with its error', async () => {
    const error = { code: 'unreachable', message: 'no', guidance: 'start it', retryable: false };
    const api = fakeApi({ [`GET /v1/jobs/${JOB_ID}`]: { body: job({ state: 'failed', error }) } });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['jobs', 'show', JOB_ID], deps)).toBe(1);
    expect(stdout.text()).toMatch(/^State\s+failed$/m);
    expect(stdout.text()).toMatch(/^Guidance\s+start it$/m);
    expect(stderr.text()).toBe('error: discovery failed: unreachable: no\n');
  });

  it('wait polls to the end, one line per stage on stderr, and prints the finished job as JSON', async () => {
    const api = fakeApi({
      [`GET /v1/jobs/${JOB_ID}`]: [
        { body: job() },
        { body: job({ state: 'running', stage: 'tools' }) },
        { body: job({ state: 'succeeded', stage: 'store' }) },
      ],
    });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['jobs', 'wait', JOB_ID, '--json'], deps)).toBe(0);
    expect(stderr.text()).toBe('discovery: queued (0%)\ndiscovery: tools (0%)\ndiscovery: succeeded\n');
    expect(JSON.parse(stdout.text()).state).toBe('succeeded');
  });
});
