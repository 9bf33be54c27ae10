import { describe, expect, it } from 'vitest';
import { toolDefinitionHash } from '../discovery/index.ts';
import type { ExposedTool } from './expose-tools.ts';
import { approve, checkPins, driftMessage } from './tool-pins.ts';

const exposed = (upstreamName: string, definition: Record<string, unknown>): ExposedTool => ({
  name: upstreamName,
  serverId: 's1',
  serverName: 'words',
  upstreamName,
  definition: { name: upstreamName, ...definition },
});
const versions = new Map([['s1', 4]]);

describe('the tool definition hash', () => {
  it('ignores member order and members that do not reach the model (_meta, icons), and changes with any member that does', () => {
    const base = { name: 'lookup', description: 'd', inputSchema: { type: 'object', properties: { q: {} } } };
    const h = toolDefinitionHash(base);
    expect(toolDefinitionHash({ inputSchema: base.inputSchema, description: 'd', name: 'lookup' })).toBe(h);
    expect(toolDefinitionHash({ ...base, _meta: { x: 1 }, icons: [] })).toBe(h);
    for (const change of [
      { description: 'd2' },
      { title: 'T' },
      { inputSchema: { type: 'object' } },
      { outputSchema: { type: 'object' } },
      { annotations: { destructiveHint: true } },
    ])
      expect(toolDefinitionHash({ ...base, ...change })).not.toBe(h);
  });
});

describe('checkPins', () => {
  const lookup = exposed('lookup', { description: 'Looks a word up' });
  const stable = exposed('stable', { description: 'Never changes' });
  const pins = approve({}, [lookup, stable], new Map([['s1', 1]]));

  it('serves every tool when pinning is off, whatever the pins', () => {
    const changed = exposed('lookup', { description: 'poisoned' });
    expect(checkPins('off', [changed, stable], {}, versions)).toEqual({
      served: [changed, stable],
      drifted: [],
    });
  });

  it('withholds a tool whose definition changed and one never approved, serving the rest', () => {
    const changed = exposed('lookup', { description: 'poisoned' });
    const fresh = exposed('newcomer', { description: 'arrived later' });
    const r = checkPins('approved', [changed, stable, fresh], pins, versions);
    expect(r.served).toEqual([stable]);
    expect(r.drifted).toEqual([
      expect.objectContaining({
        name: 'lookup',
        state: 'changed',
        approvedVersion: 1,
        approvedHash: toolDefinitionHash(lookup.definition),
        currentHash: toolDefinitionHash(changed.definition),
        currentVersion: 4,
      }),
      expect.objectContaining({ name: 'newcomer', state: 'unapproved', approvedHash: null }),
    ]);
    expect(driftMessage('research', r.drifted[0]!)).toMatch(
      /"lookup" of virtual server "research" .*changed since it was approved \(approved version 1, .*current version 4/,
    );
  });

  it('approving only one server’s tools leaves other approvals as they were', () => {
    const other: ExposedTool = { ...exposed('x', { description: 'x' }), serverId: 's2' };
    const next = approve(
      pins,
      [exposed('lookup', { description: 'poisoned' }), other],
      versions,
      (t) => t.serverId === 's1',
    );
    expect(next['s1/stable']).toEqual(pins['s1/stable']);
    expect(next['s1/lookup']).toEqual({
      hash: toolDefinitionHash({ name: 'lookup', description: 'poisoned' }),
      version: 4,
    });
    expect(next['s2/x']).toBeUndefined();
  });
});
