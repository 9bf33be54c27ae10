import type { CapabilityDiff, CapabilityVersionPage } from '@sprintconnect/sdk';
import { describe, expect, it } from 'vitest';
import { formatDiff } from './servers-diff.ts';
import { formatVersions } from './servers-versions.ts';

const kind = (added: string[] = []) => ({ added, removed: [], modified: [] });
const diff = (d: Partial<CapabilityDiff>): CapabilityDiff => ({
  from: 1,
  to: 2,
  changed: false,
  tools: kind(),
  resources: kind(),
  resourceTemplates: kind(),
  prompts: kind(),
  withheld: 0,
  ...d,
});
const version = (n: number, withheld?: number): CapabilityVersionPage['items'][number] => ({
  id: `0190b8a4-0000-7000-8000-00000000000${n}`,
  serverId: '0190b8a4-0000-7000-8000-000000000000',
  version: n,
  contentHash: 'h',
  protocolVersion: '2025-06-18',
  discoveredAt: '2026-03-02T12:00:00.000Z',
  counts: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
  ...(withheld === undefined ? {} : { withheld }),
});

describe('capability history output, under a policy that withholds capabilities (ADR 0036)', () => {
  it('a diff counts the changes it withholds, also when none it shows remain', () => {
    expect(formatDiff(diff({ withheld: 1 }))).toBe(
      'no changes from version 1 to version 2 (1 withheld by policy)',
    );
    expect(formatDiff(diff({}))).toBe('no changes from version 1 to version 2');
    expect(formatDiff(diff({ changed: true, tools: kind(['get_weather']), withheld: 2 }))).toBe(
      'changes from version 1 to version 2 (2 withheld by policy):\ntools\n  + get_weather',
    );
  });

  it('versions show a WITHHELD column only when some version withholds capabilities', () => {
    const page = (items: CapabilityVersionPage['items']) => ({ items, nextCursor: null });
    const withheld = formatVersions(page([version(2, 1), version(1, 0)]));
    expect(withheld.split('\n')[0]).toMatch(/WITHHELD/);
    expect(formatVersions(page([version(1, 0)])).split('\n')[0]).not.toMatch(/WITHHELD/);
    expect(formatVersions(page([version(1)])).split('\n')[0]).not.toMatch(/WITHHELD/);
  });
});
