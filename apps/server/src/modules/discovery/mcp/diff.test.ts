import { describe, expect, it } from 'vitest';
import { changedFields, diffSnapshots, hasChanges } from './diff.ts';
import type { CapabilitySnapshot } from './types.ts';

function snapshot(overrides: Partial<CapabilitySnapshot> = {}): CapabilitySnapshot {
  return {
    protocolVersion: '2025-11-25',
    serverInfo: { name: 'srv', version: '1.0.0' },
    serverCapabilities: { tools: {} },
    clientCapabilities: {},
    tools: [
      { name: 'echo', description: 'Echo', inputSchema: { type: 'object' } },
      { name: 'sum', description: 'Sum', inputSchema: { type: 'object' } },
    ],
    resources: [{ uri: 'file:///a', name: 'a', mimeType: 'text/plain' }],
    resourceTemplates: [{ uriTemplate: 'file:///{p}', name: 'files' }],
    prompts: [{ name: 'greet', description: 'Hi' }],
    ...overrides,
  };
}

const EMPTY = { added: [], removed: [], modified: [] };

describe('diffSnapshots', () => {
  it('reports nothing for identical snapshots', () => {
    const d = diffSnapshots(snapshot(), snapshot());
    expect(d).toEqual({ tools: EMPTY, resources: EMPTY, resourceTemplates: EMPTY, prompts: EMPTY });
    expect(hasChanges(d)).toBe(false);
  });

  it('reports a changed description as modified with changedFields ["description"]', () => {
    const b = snapshot();
    b.tools[0] = { ...b.tools[0]!, description: 'Echo back' };
    expect(diffSnapshots(snapshot(), b).tools).toEqual({
      added: [],
      removed: [],
      modified: [{ name: 'echo', changedFields: ['description'] }],
    });
  });

  it('reports added and removed tools by name, sorted', () => {
    const b = snapshot({
      tools: [
        { name: 'sum', description: 'Sum', inputSchema: { type: 'object' } },
        { name: 'zeta' },
        { name: 'alpha' },
      ],
    });
    const d = diffSnapshots(snapshot(), b);
    expect(d.tools.added).toEqual(['alpha', 'zeta']);
    expect(d.tools.removed).toEqual(['echo']);
    expect(d.tools.modified).toEqual([]);
    expect(hasChanges(d)).toBe(true);
  });

  it('counts a field present on one side only as changed', () => {
    const b = snapshot();
    b.tools[1] = { ...b.tools[1]!, annotations: { readOnlyHint: true } };
    expect(diffSnapshots(snapshot(), b).tools.modified).toEqual([
      { name: 'sum', changedFields: ['annotations'] },
    ]);
  });

  it('lists every changed top-level field, sorted, and ignores key order inside schemas', () => {
    const a = snapshot({
      tools: [{ name: 't', title: 'T', inputSchema: { type: 'object', properties: { a: {}, b: {} } } }],
    });
    const b = snapshot({
      tools: [
        {
          name: 't',
          title: 'T2',
          outputSchema: { type: 'object' },
          inputSchema: { properties: { b: {}, a: {} }, type: 'object' },
        },
      ],
    });
    expect(diffSnapshots(a, b).tools.modified).toEqual([
      { name: 't', changedFields: ['outputSchema', 'title'] },
    ]);
  });

  it('keys resources by uri and resource templates by uriTemplate', () => {
    const b = snapshot({
      resources: [
        { uri: 'file:///a', name: 'renamed', mimeType: 'text/plain' },
        { uri: 'file:///b', name: 'b' },
      ],
      resourceTemplates: [{ uriTemplate: 'file:///{q}', name: 'files' }],
    });
    const d = diffSnapshots(snapshot(), b);
    expect(d.resources).toEqual({
      added: ['file:///b'],
      removed: [],
      modified: [{ name: 'file:///a', changedFields: ['name'] }],
    });
    expect(d.resourceTemplates).toEqual({ added: ['file:///{q}'], removed: ['file:///{p}'], modified: [] });
  });

  it('keys prompts by name', () => {
    const d = diffSnapshots(
      snapshot(),
      snapshot({ prompts: [{ name: 'greet', description: 'Hello', arguments: [] }] }),
    );
    expect(d.prompts.modified).toEqual([{ name: 'greet', changedFields: ['arguments', 'description'] }]);
  });

  it('ignores list order', () => {
    const a = snapshot();
    expect(hasChanges(diffSnapshots(a, snapshot({ tools: [...a.tools].reverse() })))).toBe(false);
  });

  it('has exactly the four capability kinds, each with added/removed/modified', () => {
    const d = diffSnapshots(snapshot(), snapshot());
    expect(Object.keys(d).sort()).toEqual(['prompts', 'resourceTemplates', 'resources', 'tools']);
  });
});

describe('changedFields', () => {
  it('treats an explicit null and an absent field alike (neither carries a value)', () => {
    expect(changedFields({ name: 'x', title: null }, { name: 'x' })).toEqual([]);
  });
});
