import { isUuid } from '../../kernel/index.ts';

/**
 * What the gateway hands over after each tool call (issue 11 point 8). The gateway declares the same shape; the
 * two modules agree by structure, neither imports the other.
 */
export const PRINCIPAL_KINDS = ['api_key', 'user', 'client'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];
export const OUTCOMES = ['ok', 'error', 'denied', 'upstream_error', 'timeout'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface UsageRecord {
  orgId: string;
  principalKind: PrincipalKind;
  principalId: string;
  /** `default` (the org's `/mcp`) or a virtual server's slug. */
  endpoint: string;
  serverId: string;
  tool: string;
  invocationClass?: string | undefined;
  latencyMs: number;
  outcome: Outcome;
  bytesIn: number;
  bytesOut: number;
  decisionId?: string | undefined;
  at: Date;
}

/**
 * A record as it is buffered and written, every field within the table's bounds. Its id (a UUIDv7 of `at`) is
 * given at its first write attempt, off the request path (random bytes cost more than the rest of `record`), and
 * kept across retries, so a batch written twice after an ambiguous commit is not stored twice.
 */
export interface UsageRow {
  readonly orgId: string;
  id?: string;
  readonly at: Date;
  readonly principalKind: PrincipalKind;
  readonly principalId: string;
  readonly endpoint: string;
  readonly serverId: string;
  readonly tool: string;
  readonly invocationClass: string | null;
  readonly latencyMs: number;
  readonly outcome: Outcome;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly decisionId: string | null;
}

// Migration 025's CHECKs. A row outside them would fail its whole batch on every retry, so a record is made to
// fit here, on the caller's side: strings are cut, numbers clamped; what cannot be made to fit is refused.
const MAX = {
  principalId: 300,
  endpoint: 200,
  serverId: 200,
  tool: 300,
  invocationClass: 100,
  decisionId: 200,
};
const INT32 = 2_147_483_647;

const cut = (s: string, n: number): string => {
  const clean = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
  // Cut by code points, so a surrogate pair is never split (Postgres refuses a lone surrogate).
  return clean.length <= n ? clean : [...clean].slice(0, n).join('');
};
const optional = (s: string | undefined, n: number): string | null => {
  const v = s === undefined ? '' : cut(s, n);
  return v === '' ? null : v;
};
const count = (n: number, max: number): number =>
  Number.isFinite(n) ? Math.min(max, Math.max(0, Math.round(n))) : 0;

/** The row for a record, or undefined when it cannot be stored (no org, unknown outcome, bad time, empty name). */
export function toUsageRow(r: UsageRecord): UsageRow | undefined {
  const at = r.at instanceof Date ? r.at.getTime() : Number.NaN;
  // A UUIDv7 holds 48 bits of milliseconds since 1970.
  if (typeof r.orgId !== 'string' || !isUuid(r.orgId) || !(at >= 0 && at < 2 ** 48)) return undefined;
  if (!(PRINCIPAL_KINDS as readonly string[]).includes(r.principalKind)) return undefined;
  if (!(OUTCOMES as readonly string[]).includes(r.outcome)) return undefined;
  const principalId = cut(String(r.principalId), MAX.principalId);
  const endpoint = cut(String(r.endpoint), MAX.endpoint);
  const serverId = cut(String(r.serverId), MAX.serverId);
  const tool = cut(String(r.tool), MAX.tool);
  if (principalId === '' || endpoint === '' || serverId === '' || tool === '') return undefined;
  return {
    orgId: r.orgId.toLowerCase(),
    at: new Date(at),
    principalKind: r.principalKind,
    principalId,
    endpoint,
    serverId,
    tool,
    invocationClass: optional(r.invocationClass, MAX.invocationClass),
    latencyMs: count(r.latencyMs, INT32),
    outcome: r.outcome,
    bytesIn: count(r.bytesIn, Number.MAX_SAFE_INTEGER),
    bytesOut: count(r.bytesOut, Number.MAX_SAFE_INTEGER),
    decisionId: optional(r.decisionId, MAX.decisionId),
  };
}
