/**
 * Capability versioning end to end: discover a server, change what it offers, discover again. The content
 * hash must move exactly when the offer changes, and the diff must say what changed.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMutableServer, startMutable } from '../../../../test/mcp-servers/mutable.ts';
import { snapshotHash } from './canonical.ts';
import { diffSnapshots, hasChanges } from './diff.ts';
import { discoverServer } from './discover.ts';

const INITIAL: Tool[] = [
  {
    name: 'echo',
    description: 'Echo the input',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  },
  { name: 'sum', description: 'Add numbers', inputSchema: { type: 'object' } },
  { name: 'legacy', description: 'Old tool', inputSchema: { type: 'object' } },
];

describe('capability versioning against a server whose tools change', () => {
  let server: RunningMutableServer;

  beforeAll(async () => {
    // Page size 2: the three tools span two pages, so pagination is part of every discovery here.
    server = await startMutable(INITIAL, { pageSize: 2 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const discover = async () => {
    const result = await discoverServer({
      url: server.url,
      transport: 'streamable-http',
      headers: {},
      fetch,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    return result.snapshot;
  };

  it('gives an unchanged server the same hash on every discovery', async () => {
    server.setTools(INITIAL);
    const [a, b] = [await discover(), await discover()];
    expect(snapshotHash(b)).toBe(snapshotHash(a));
    expect(hasChanges(diffSnapshots(a, b))).toBe(false);
  });

  it('gives a changed server a new hash and a diff with the added, removed and modified tools', async () => {
    server.setTools(INITIAL);
    const before = await discover();
    server.setTools([
      { ...INITIAL[0]!, description: 'Echo the input back' },
      INITIAL[1]!,
      { name: 'multiply', description: 'Multiply numbers', inputSchema: { type: 'object' } },
    ]);
    const after = await discover();

    expect(after.tools.map((t) => t.name)).toEqual(['echo', 'sum', 'multiply']);
    expect(snapshotHash(after)).not.toBe(snapshotHash(before));
    expect(diffSnapshots(before, after).tools).toEqual({
      added: ['multiply'],
      removed: ['legacy'],
      modified: [{ name: 'echo', changedFields: ['description'] }],
    });
  });

  it('does not treat a reordered tool list as a change', async () => {
    server.setTools(INITIAL);
    const before = await discover();
    server.setTools([...INITIAL].reverse());
    const after = await discover();
    expect(after.tools.map((t) => t.name)).toEqual(['legacy', 'sum', 'echo']);
    expect(snapshotHash(after)).toBe(snapshotHash(before));
  });
});
