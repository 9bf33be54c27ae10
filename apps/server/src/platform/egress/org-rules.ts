import { isIP } from 'node:net';
import type { Cidr } from './allowlist.ts';
import { parseCidr, parseHost } from './allowlist.ts';

/**
 * An organization's own egress rules (story 8.3), as plain data: the platform policy (private and metadata
 * ranges, SPRINTCONNECT_EGRESS_ALLOW, DNS pinning, redirect re-checks) is applied first and these only narrow
 * it. A non-empty allowlist means only its destinations may be reached; the denylist always wins; denied ports
 * apply to every destination. Entries are CIDR blocks (or bare addresses), exact host names, or `*.suffix`
 * wildcards (subdomains only, not the apex), in the same syntax as SPRINTCONNECT_EGRESS_ALLOW.
 */
export type OrgRuleEntry =
  | { readonly kind: 'cidr'; readonly entry: string; readonly cidr: Cidr }
  | { readonly kind: 'host'; readonly entry: string; readonly host: string }
  /** `suffix` keeps its leading dot: `*.example.com` -> `.example.com`. */
  | { readonly kind: 'suffix'; readonly entry: string; readonly suffix: string };

export interface OrgEgressRules {
  readonly allow: readonly OrgRuleEntry[];
  readonly deny: readonly OrgRuleEntry[];
  readonly deniedPorts: readonly number[];
}

export interface OrgEgressRulesInput {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  readonly deniedPorts?: readonly number[] | undefined;
}

/** One bad entry, addressed by JSON Pointer into the input (`/deny/2`), for a 422 per field. */
export interface OrgRuleError {
  readonly pointer: string;
  readonly detail: string;
}

export type OrgRulesParseResult =
  | { readonly ok: true; readonly rules: OrgEgressRules }
  | { readonly ok: false; readonly errors: readonly OrgRuleError[] };

export const EMPTY_ORG_RULES: OrgEgressRules = Object.freeze({ allow: [], deny: [], deniedPorts: [] });

/** Rules that refuse every destination: what an org gets when its stored rules cannot be read (fail closed). */
export const DENY_ALL_ORG_RULES: OrgEgressRules = Object.freeze({
  allow: [],
  deny: ['0.0.0.0/0', '::/0'].map((e) => {
    const parsed = parseCidr(e);
    if (typeof parsed === 'string') throw new Error(parsed);
    return { kind: 'cidr' as const, entry: e, cidr: parsed.cidr };
  }),
  deniedPorts: [],
});

export const hasOrgRules = (r: OrgEgressRules): boolean =>
  r.allow.length > 0 || r.deny.length > 0 || r.deniedPorts.length > 0;

/** Parses one entry into its canonical form (lower case, IDNA ASCII, network address of a block). */
export function parseOrgRuleEntry(raw: string): OrgRuleEntry | string {
  const entry = raw.trim().toLowerCase();
  if (entry === '') return 'must not be empty';
  if (entry.includes('/') || entry.includes(':') || isIP(entry) !== 0) {
    const parsed = parseCidr(entry);
    if (typeof parsed === 'string') return parsed;
    const [addr, bits] = parsed.cidr;
    return { kind: 'cidr', entry: `${addr.toString()}/${bits}`, cidr: parsed.cidr };
  }
  const parsed = parseHost(entry);
  if (typeof parsed === 'string') return parsed;
  return parsed.wildcard
    ? { kind: 'suffix', entry: `*.${parsed.host}`, suffix: `.${parsed.host}` }
    : { kind: 'host', entry: parsed.host, host: parsed.host };
}

function parseList(name: 'allow' | 'deny', list: readonly string[], errors: OrgRuleError[]): OrgRuleEntry[] {
  const out: OrgRuleEntry[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, i) => {
    const parsed = parseOrgRuleEntry(raw);
    if (typeof parsed === 'string') {
      errors.push({ pointer: `/${name}/${i}`, detail: parsed });
      return;
    }
    const first = seen.get(parsed.entry);
    if (first !== undefined) {
      errors.push({ pointer: `/${name}/${i}`, detail: `repeats /${name}/${first} (${parsed.entry})` });
      return;
    }
    seen.set(parsed.entry, i);
    out.push(parsed);
  });
  return out;
}

/** Parses an org's rules and lists every bad entry, so an admin fixes them all in one pass. Pure. */
export function parseOrgEgressRules(input: OrgEgressRulesInput): OrgRulesParseResult {
  const errors: OrgRuleError[] = [];
  const allow = parseList('allow', input.allow ?? [], errors);
  const deny = parseList('deny', input.deny ?? [], errors);
  const deniedPorts: number[] = [];
  (input.deniedPorts ?? []).forEach((port, i) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      errors.push({ pointer: `/deniedPorts/${i}`, detail: 'must be a port number from 1 to 65535' });
    } else if (deniedPorts.includes(port)) {
      errors.push({ pointer: `/deniedPorts/${i}`, detail: `repeats port ${port}` });
    } else deniedPorts.push(port);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules: Object.freeze({ allow, deny, deniedPorts: deniedPorts.sort((a, b) => a - b) }) };
}

/** The canonical entries, as stored and shown. */
export function formatOrgEgressRules(r: OrgEgressRules): {
  allow: string[];
  deny: string[];
  deniedPorts: number[];
} {
  return {
    allow: r.allow.map((e) => e.entry),
    deny: r.deny.map((e) => e.entry),
    deniedPorts: [...r.deniedPorts],
  };
}
