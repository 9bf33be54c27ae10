/**
 * Discovery against our own server speaking the stateless 2026-07-28 revision, every list paginated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EGRESS_PORTS } from '../../../../test/constants.ts';
import type { RunningCatalogServer } from '../../../../test/mcp-servers/catalog-server.ts';
import { spawnTestServer } from '../../../../test/mcp-servers/loopback.ts';
import { startMutable } from '../../../../test/mcp-servers/mutable.ts';
import {
  STATELESS_2026_CATALOG,
  STATELESS_2026_PAGE_SIZE,
  startStateless2026,
} from '../../../../test/mcp-servers/stateless-2026.ts';
import { createEgress } from '../../../platform/egress/index.ts';
import { discoverServer } from './discover.ts';
import type { DiscoveryProgress } from './types.ts';

const catalog = STATELESS_2026_CATALOG;
const pagesFor = (n: number) => Math.ceil(n / STATELESS_2026_PAGE_SIZE);
/** What the catalogue looks like on the wire (JSON, so no undefined members). */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('discovery of a stateless 2026-07-28 server', () => {
  let server: RunningCatalogServer;

  beforeAll(async () => {
    server = await startStateless2026();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('negotiates protocol version 2026-07-28 and lists every page of every list', async () => {
    const before = new Map(server.requestCounts);
    const progress: DiscoveryProgress[] = [];
    const result = await discoverServer({
      url: server.url,
      transport: 'streamable-http',
      headers: {},
      fetch,
      onProgress: (p) => progress.push(p),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const s = result.snapshot;
    expect(s.protocolVersion).toBe('2026-07-28');
    expect(s.serverInfo).toEqual(catalog.serverInfo);
    expect(s.instructions).toBe(catalog.instructions);
    expect(s.tools).toEqual(wire(catalog.tools));
    expect(s.resources).toEqual(wire(catalog.resources));
    expect(s.resourceTemplates).toEqual(wire(catalog.resourceTemplates));
    expect(s.prompts).toEqual(wire(catalog.prompts));
    expect(s.tools.length).toBeGreaterThan(STATELESS_2026_PAGE_SIZE);

    const sent = (method: string) => (server.requestCounts.get(method) ?? 0) - (before.get(method) ?? 0);
    expect(sent('server/discover')).toBe(1);
    expect(sent('initialize')).toBe(0);
    expect(sent('tools/list')).toBe(pagesFor(catalog.tools!.length));
    expect(sent('resources/list')).toBe(pagesFor(catalog.resources!.length));
    expect(sent('resources/templates/list')).toBe(pagesFor(catalog.resourceTemplates!.length));
    expect(sent('prompts/list')).toBe(pagesFor(catalog.prompts!.length));

    expect(progress.map((p) => `${p.stage}:${p.done}/${p.total}`)).toEqual([
      'connect:0/5',
      'connect:1/5',
      'tools:1/5',
      'tools:2/5',
      'resources:2/5',
      'resources:3/5',
      'resourceTemplates:3/5',
      'resourceTemplates:4/5',
      'prompts:4/5',
      'prompts:5/5',
    ]);
  });

  it('works through the egress fetch when the operator allows the loopback address', async () => {
    const egress = createEgress({ allow: '127.0.0.1/32', ports: TEST_EGRESS_PORTS });
    try {
      const result = await discoverServer({
        url: server.url,
        transport: 'streamable-http',
        headers: {},
        fetch: egress.fetch,
      });
      expect(result.ok && result.snapshot.tools.length).toBe(catalog.tools!.length);
    } finally {
      await egress.close();
    }
  });

  it('discovers the same server started as a child process', async () => {
    const child = await spawnTestServer(
      new URL('../../../../test/mcp-servers/stateless-2026.ts', import.meta.url),
    );
    try {
      const result = await discoverServer({
        url: child.url,
        transport: 'streamable-http',
        headers: {},
        fetch,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.failure));
      expect(result.snapshot.protocolVersion).toBe('2026-07-28');
      expect(result.snapshot.tools.map((t) => t.name)).toEqual(catalog.tools!.map((t) => t.name));
    } finally {
      await child.close();
    }
  });

  it('reports only the stages the server advertises in its progress total', async () => {
    const toolsOnly = await startMutable([{ name: 'only', inputSchema: { type: 'object' } }]);
    try {
      const progress: DiscoveryProgress[] = [];
      const result = await discoverServer({
        url: toolsOnly.url,
        transport: 'streamable-http',
        headers: {},
        fetch,
        onProgress: (p) => progress.push(p),
      });
      expect(result.ok).toBe(true);
      expect(progress.at(-1)).toEqual({ stage: 'tools', done: 2, total: 2 });
      expect(result.ok && [result.snapshot.resources, result.snapshot.prompts]).toEqual([[], []]);
    } finally {
      await toolsOnly.close();
    }
  });
});
