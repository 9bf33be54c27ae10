import { describe, expect, it } from 'vitest';
import { canonicalJson, hashedView, snapshotHash } from './canonical.ts';
import type { CapabilitySnapshot } from './types.ts';

function snapshot(overrides: Partial<CapabilitySnapshot> = {}): CapabilitySnapshot {
  return {
    protocolVersion: '2025-11-25',
    serverInfo: { name: 'srv', version: '1.0.0' },
    serverCapabilities: { tools: { listChanged: true }, prompts: {} },
    clientCapabilities: {},
    instructions: 'Use wisely.',
    tools: [
      { name: 'b', description: 'B', inputSchema: { type: 'object', properties: { x: { type: 'string' } } } },
      { name: 'a', description: 'A', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
    ],
    resources: [{ uri: 'file:///x', name: 'x' }],
    resourceTemplates: [{ uriTemplate: 'file:///{path}', name: 'files' }],
    prompts: [{ name: 'p', arguments: [{ name: 'one' }, { name: 'two' }] }],
    ...overrides,
  };
}

/** Rebuilds a value with every object's keys in reverse order (same data, different key order). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('is the same for the same data in any key order', () => {
    const data = { z: 1, y: { x: [1, { b: 2, a: 1 }], w: 'v' } };
    expect(canonicalJson(reverseKeys(data))).toBe(canonicalJson(data));
  });

  it('omits undefined members and writes non-finite numbers as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: Number.NaN, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak "q" é' })).toBe(JSON.stringify({ 'k"': 'line\nbreak "q" é' }));
  });

  it('rejects values that are not JSON data', () => {
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});

describe('snapshotHash', () => {
  it('is a lowercase hex SHA-256', () => {
    expect(snapshotHash(snapshot())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change with key order', () => {
    const s = snapshot();
    expect(snapshotHash(reverseKeys(s) as CapabilitySnapshot)).toBe(snapshotHash(s));
  });

  it('does not change with the order a server lists items in', () => {
    const s = snapshot();
    expect(snapshotHash({ ...s, tools: [...s.tools].reverse() })).toBe(snapshotHash(s));
  });

  it('changes when a tool description changes', () => {
    const s = snapshot();
    const changed = { ...s, tools: s.tools.map((t) => (t.name === 'a' ? { ...t, description: 'A2' } : t)) };
    expect(snapshotHash(changed)).not.toBe(snapshotHash(s));
  });

  it('changes when a tool is added, a schema changes, or instructions change', () => {
    const s = snapshot();
    const base = snapshotHash(s);
    expect(snapshotHash({ ...s, tools: [...s.tools, { name: 'c' }] })).not.toBe(base);
    expect(
      snapshotHash({ ...s, tools: [{ ...s.tools[0]!, inputSchema: { type: 'object' } }, s.tools[1]!] }),
    ).not.toBe(base);
    expect(snapshotHash({ ...s, instructions: 'Other.' })).not.toBe(base);
    expect(snapshotHash({ ...s, serverInfo: { name: 'srv', version: '1.0.1' } })).not.toBe(base);
  });

  it('changes when the order of prompt arguments changes (array order is meaningful)', () => {
    const s = snapshot();
    const reordered = { ...s, prompts: [{ name: 'p', arguments: [{ name: 'two' }, { name: 'one' }] }] };
    expect(snapshotHash(reordered)).not.toBe(snapshotHash(s));
  });

  it('ignores the volatile negotiation fields: protocolVersion and clientCapabilities', () => {
    const s = snapshot();
    expect(snapshotHash({ ...s, protocolVersion: '2026-07-28', clientCapabilities: { roots: {} } })).toBe(
      snapshotHash(s),
    );
    expect(hashedView(s)).not.toHaveProperty('protocolVersion');
    expect(hashedView(s)).not.toHaveProperty('clientCapabilities');
  });

  it('changes when the instructions are removed', () => {
    const { instructions: _drop, ...rest } = snapshot();
    expect(snapshotHash(rest)).not.toBe(snapshotHash(snapshot()));
  });
});
