import { describe, expect, it } from 'vitest';
import { run } from '../run.ts';
import { fakeApi, testDeps } from '../testing/fake-api.ts';

const ID = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e';
const SERVER = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8f';
const view = {
  id: ID,
  slug: 'research',
  name: 'Research',
  description: '',
  naming: 'on-conflict',
  enabled: true,
  members: [{ serverId: SERVER, tools: ['search', 'fetch'] }],
  overrides: [],
  tools: [{ name: 'search', serverId: SERVER, upstreamName: 'search' }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  links: { self: `/v1/virtual-servers/${ID}`, mcp: '/mcp/research' },
};

describe('virtual-servers', () => {
  it('create sends a server member with its listed tools (commas inside one --server) and a tag member', async () => {
    const api = fakeApi({ 'POST /v1/virtual-servers': { status: 201, body: view } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    const argv = ['virtual-servers', 'create', '--slug', 'research', '--name', 'Research'];
    expect(
      await run(
        [...argv, '--server', `${SERVER}:search,fetch`, '--tag', 'web', '--naming', 'on-conflict'],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      slug: 'research',
      name: 'Research',
      naming: 'on-conflict',
      members: [{ serverId: SERVER, tools: ['search', 'fetch'] }, { tag: 'web' }],
    });
    expect(stdout.text()).toContain('/mcp/research');
  });

  it('update --disable sends only enabled: false', async () => {
    const api = fakeApi({ [`PATCH /v1/virtual-servers/${ID}`]: { body: { ...view, enabled: false } } });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['virtual-servers', 'update', ID, '--disable'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({ enabled: false });
  });

  it('approve sends the member server and the version reviewed, and show marks withheld tools with their pin state', async () => {
    const pin = (state: string, approvedVersion: number | null) => ({
      state,
      approvedHash: approvedVersion === null ? null : 'a'.repeat(64),
      approvedVersion,
      currentHash: 'b'.repeat(64),
      currentVersion: 3,
    });
    const pinned = {
      ...view,
      pinning: 'approved',
      tools: [{ ...view.tools[0], pin: pin('approved', 3) }],
      withheld: [{ name: 'fetch', serverId: SERVER, upstreamName: 'fetch', pin: pin('changed', 2) }],
    };
    const api = fakeApi({ [`POST /v1/virtual-servers/${ID}/approvals`]: { body: pinned } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['virtual-servers', 'approve', ID, '--server', SERVER, '--version', '3'], deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({ serverId: SERVER, version: 3 });
    expect(stdout.text()).toMatch(/fetch .*changed +v2\/v3/);
  });

  it('approve refuses a version that is not a positive integer before calling the API', async () => {
    const api = fakeApi({});
    const { deps } = testDeps({ fetch: api.fetch });
    expect(
      await run(['virtual-servers', 'approve', ID, '--server', SERVER, '--version', 'latest'], deps),
    ).not.toBe(0);
    expect(api.requests).toHaveLength(0);
  });
});
