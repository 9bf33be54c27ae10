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
});
