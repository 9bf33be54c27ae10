import { describe, expect, it } from 'vitest';
import { toUsageRow, type UsageRecord } from './usage-record.ts';

const ORG = '0193a000-0000-7000-8000-000000000001';
const base: UsageRecord = {
  orgId: ORG,
  principalKind: 'client',
  principalId: 'ci-bot',
  endpoint: 'default',
  serverId: 'srv',
  tool: 'echo',
  latencyMs: 12,
  outcome: 'ok',
  bytesIn: 1,
  bytesOut: 2,
  at: new Date('2026-12-07T21:00:00.000Z'),
};

describe('toUsageRow: a record made to fit migration 025, or refused', () => {
  it('keeps every field and nulls the absent optional ones; the id waits for the write, off the request path', () => {
    const row = toUsageRow(base)!;
    expect(row).toEqual({ ...base, invocationClass: null, decisionId: null });
    expect(row.id).toBeUndefined();
  });

  it('cuts long names by code point and removes NUL bytes (PostgreSQL text cannot hold them)', () => {
    const row = toUsageRow({ ...base, tool: `a\u0000${'😀'.repeat(400)}`, decisionId: 'd'.repeat(900) })!;
    expect(row.tool.startsWith('a😀')).toBe(true);
    expect([...row.tool]).toHaveLength(300);
    expect(row.decisionId).toHaveLength(200);
  });

  it('clamps numbers to whole, non-negative values within the columns', () => {
    const row = toUsageRow({ ...base, latencyMs: -5.4, bytesIn: Number.NaN, bytesOut: 1e300 })!;
    expect(row).toMatchObject({ latencyMs: 0, bytesIn: 0, bytesOut: Number.MAX_SAFE_INTEGER });
    expect(toUsageRow({ ...base, latencyMs: 1e12 })!.latencyMs).toBe(2_147_483_647);
  });

  it('refuses what cannot be stored: no org, an unknown kind or outcome, an invalid time, an empty name', () => {
    const refused: Partial<Record<keyof UsageRecord, unknown>>[] = [
      { orgId: 'not-a-uuid' },
      { principalKind: 'robot' },
      { outcome: 'exploded' },
      { at: new Date(Number.NaN) },
      { at: new Date(-1) },
      { tool: '' },
      { serverId: '\u0000' },
    ];
    for (const over of refused) expect(toUsageRow({ ...base, ...over } as UsageRecord)).toBeUndefined();
  });
});
