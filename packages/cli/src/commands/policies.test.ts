import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy } from '@sprintconnect/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../run.ts';
import { fakeApi, testDeps } from '../testing/fake-api.ts';
import { SERVER_ID, server } from '../testing/fixtures.ts';
import { parsePolicyFiles, planApply } from './policies-apply.ts';

const T = '2025-01-01T00:00:00.000Z';
const policy = (over: Partial<Policy> = {}): Policy => ({
  id: '0190a3c2-6a1e-7b4c-9d2f-0000000000d1',
  name: 'no-prod',
  policyId: 'org/no-prod',
  description: 'keep out',
  policy: 'forbid (principal, action, resource);',
  enabled: true,
  createdAt: T,
  updatedAt: T,
  links: { self: '/v1/policies/x' },
  ...over,
});

const dir = mkdtempSync(join(tmpdir(), 'sc-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parsePolicyFiles', () => {
  it('names a .cedar policy by --name or its file name, enabled unless --disabled', () => {
    expect(parsePolicyFiles([{ path: '/p/no-prod.cedar', text: 'T' }], {})).toEqual([
      { file: '/p/no-prod.cedar', name: 'no-prod', policy: 'T', enabled: true },
    ]);
    expect(
      parsePolicyFiles([{ path: 'x.cedar', text: 'T' }], { name: 'y', disabled: true, description: 'd' }),
    ).toEqual([{ file: 'x.cedar', name: 'y', policy: 'T', enabled: false, description: 'd' }]);
  });

  it('reads one policy or a list from .json, and refuses what is not a policy', () => {
    const list = JSON.stringify([
      { name: 'a', policy: 'A' },
      { name: 'b', policy: 'B', enabled: false, description: 'd' },
    ]);
    expect(
      parsePolicyFiles([{ path: 'set.json', text: list }], {}).map((d) => [d.name, d.enabled, d.description]),
    ).toEqual([
      ['a', undefined, undefined],
      ['b', false, 'd'],
    ]);
    expect(() => parsePolicyFiles([{ path: 'x.json', text: '{"name":"a"}' }], {})).toThrow(
      '"name" and "policy" must be strings',
    );
    expect(() =>
      parsePolicyFiles([{ path: 'x.json', text: '{"name":"a","policy":"p","enable":true}' }], {}),
    ).toThrow('unknown member "enable"');
    expect(() => parsePolicyFiles([{ path: 'x.json', text: '{' }], {})).toThrow('not valid JSON');
    expect(() =>
      parsePolicyFiles(
        [
          { path: 'a.cedar', text: 'A' },
          { path: 'd/a.cedar', text: 'B' },
        ],
        {},
      ),
    ).toThrow('given twice');
    expect(() =>
      parsePolicyFiles(
        [
          { path: 'a.cedar', text: 'A' },
          { path: 'b.cedar', text: 'B' },
        ],
        { name: 'x' },
      ),
    ).toThrow('--name');
  });
});

describe('planApply', () => {
  it('creates the new, updates only differing fields, leaves equal ones (and unstated fields) alone', () => {
    const current = [policy(), policy({ id: 'id2', name: 'other', policy: 'P2', enabled: false })];
    const plan = planApply(current, [
      { file: 'f', name: 'no-prod', policy: policy().policy, enabled: true },
      { file: 'f', name: 'other', policy: 'P2 changed' },
      { file: 'f', name: 'new', policy: 'N' },
    ]);
    expect(plan.map((c) => c.action)).toEqual(['unchanged', 'update', 'create']);
    expect(plan[1]).toMatchObject({ id: 'id2', patch: { policy: 'P2 changed' } });
    const enable = planApply(current, [
      { file: 'f', name: 'other', policy: 'P2', enabled: true, description: 'x' },
    ]);
    expect(enable[0]).toMatchObject({ action: 'update', patch: { enabled: true, description: 'x' } });
  });
});

describe('policies apply', () => {
  it('POSTs a new policy and PUTs a changed one by id, printing one line each', async () => {
    writeFileSync(join(dir, 'no-prod.cedar'), 'forbid (principal, action, resource) when { true };');
    writeFileSync(join(dir, 'fresh.cedar'), 'permit (principal, action, resource);');
    const api = fakeApi({
      'GET /v1/policies': { body: { items: [policy()], nextCursor: null } },
      [`PUT /v1/policies/${policy().id}`]: { body: policy() },
      'POST /v1/policies': { status: 201, body: policy({ name: 'fresh', policyId: 'org/fresh' }) },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'apply', join(dir, 'no-prod.cedar'), join(dir, 'fresh.cedar')], deps)).toBe(
      0,
    );
    expect(api.requests[1]!.body).toEqual({ policy: 'forbid (principal, action, resource) when { true };' });
    expect(api.requests[2]!.body).toEqual({
      name: 'fresh',
      policy: 'permit (principal, action, resource);',
      enabled: true,
    });
    expect(stdout.text()).toBe('updated org/no-prod\ncreated org/fresh\n');
  });

  it('--dry-run asks the server to validate each candidate and writes nothing', async () => {
    writeFileSync(join(dir, 'fresh.cedar'), 'permit (principal, action, resource);');
    const api = fakeApi({
      'GET /v1/policies': { body: { items: [], nextCursor: null } },
      'POST /v1/policies/dry-run': { body: {} },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'apply', join(dir, 'fresh.cedar'), '--dry-run'], deps)).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /v1/policies',
      'POST /v1/policies/dry-run',
    ]);
    expect(api.requests[1]!.body).toMatchObject({
      policy: 'permit (principal, action, resource);',
      name: 'fresh',
    });
    expect(stdout.text()).toBe('would create org/fresh\n');
  });

  it('a file that cannot be read is a usage error before any request', async () => {
    const api = fakeApi({});
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'apply', join(dir, 'missing.cedar')], deps)).toBe(2);
    expect(stderr.text()).toContain('cannot read');
    expect(api.requests).toHaveLength(0);
  });
});

describe('policies: other commands', () => {
  it('an invalid policy prints each problem with its policy, line and column, exit 1', async () => {
    const api = fakeApi({
      'GET /v1/policies': { body: { items: [policy()], nextCursor: null } },
      [`PUT /v1/policies/${policy().id}`]: {
        status: 422,
        body: {
          title: 'Invalid policy',
          code: 'policy_invalid',
          detail: 'The policy has 1 problem.',
          errors: [
            {
              location: 'body',
              pointer: '/policy',
              detail: 'unexpected token',
              policy: 'no-prod',
              line: 2,
              column: 7,
            },
          ],
        },
      },
    });
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'disable', 'no-prod'], deps)).toBe(1);
    expect(stderr.text()).toBe(
      'error: Invalid policy (policy_invalid): The policy has 1 problem.\n  - body /policy: unexpected token (policy no-prod, line 2, column 7)\n',
    );
  });

  it('restore takes a version number (else exit 2); versions --all follows the cursor', async () => {
    const api = fakeApi({
      'POST /v1/policies/versions/3/restore': { status: 201, body: { version: 5, policies: [] } },
      'GET /v1/policies/versions': (req) =>
        req.url.searchParams.get('cursor') === null
          ? { body: { items: [{ version: 2 }], nextCursor: 'c' } }
          : { body: { items: [{ version: 1 }], nextCursor: null } },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'restore', '3'], deps)).toBe(0);
    expect(stdout.text()).toBe('restored version 3 as version 5: 0 org policies\n');
    expect(await run(['policies', 'restore', 'latest'], testDeps({ fetch: api.fetch }).deps)).toBe(2);
    const all = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'versions', '--all', '--json'], all.deps)).toBe(0);
    expect(JSON.parse(all.stdout.text())).toEqual({
      items: [{ version: 2 }, { version: 1 }],
      nextCursor: null,
    });
  });

  it('dry-run: a server by id, a capability by its id (the API looks up both), a principal, a candidate file', async () => {
    writeFileSync(join(dir, 'candidate.cedar'), 'forbid (principal, action, resource);');
    const result = {
      allowed: false,
      decisionId: 'd',
      version: 'v',
      candidate: true,
      determiningPolicies: ['org/c'],
      reasons: [],
      detail: 'no',
      errors: [],
      obligations: { redact: [], throttle: null },
    };
    const api = fakeApi({
      'POST /v1/policies/dry-run': { body: result },
      [`GET /v1/servers/${SERVER_ID}`]: { body: server() },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    const base = ['policies', 'dry-run', '--action', 'servers:read', '--server', SERVER_ID];
    expect(
      await run(
        [
          ...base,
          '--principal',
          'client:scc_x',
          '--policy-file',
          join(dir, 'candidate.cedar'),
          '--name',
          'c',
        ],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      action: 'servers:read',
      resource: { type: 'server', id: SERVER_ID },
      principal: { kind: 'client', id: 'scc_x' },
      policy: 'forbid (principal, action, resource);',
      name: 'c',
    });
    expect(stdout.text()).toMatch(/^Decision\s+denied$/m);
    const before = api.requests.length;
    await run([...base, '--capability', 'tool:get_forecast'], testDeps({ fetch: api.fetch }).deps);
    // The short form (issue 10 point 2): one request, no fetch of the server's attributes first.
    expect(api.requests.slice(before).map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'POST /v1/policies/dry-run',
    ]);
    expect(api.requests.at(-1)!.body).toEqual({
      action: 'servers:read',
      resource: { type: 'capability', id: `${SERVER_ID}/tool/get_forecast` },
    });
    await run(
      ['policies', 'dry-run', '--action', 'roles:read', '--resource', 'role:r1'],
      testDeps({ fetch: api.fetch }).deps,
    );
    expect(api.requests.at(-1)!.body).toEqual({ action: 'roles:read', resource: { type: 'role', id: 'r1' } });
  });

  it.each([
    [['--action', 'servers:read']],
    [['--action', 'servers:read', '--resource', 'org', '--capability', 'tool:x']],
    [['--action', 'servers:read', '--resource', 'org', '--principal', 'robot:1']],
    [['--action', 'servers:read', '--resource', 'org', '--name', 'x']],
  ])('dry-run exits 2 without a request for %j', async (flags) => {
    const api = fakeApi({});
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['policies', 'dry-run', ...flags], deps)).toBe(2);
    expect(api.requests).toHaveLength(0);
  });
});
