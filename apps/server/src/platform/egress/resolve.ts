import type { LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { EgressAllowlist } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import { EgressError, fail } from './errors.ts';
import { judgeOrgAddress } from './org-match.ts';
import type { OrgEgressRules } from './org-rules.ts';
import { EMPTY_ORG_RULES } from './org-rules.ts';
import { checkAddress } from './policy.ts';

/** Resolves a host name to every address it has. Injected in tests; the default asks the OS resolver. */
export type EgressLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookup: EgressLookup = (hostname) =>
  dns.lookup(hostname, { all: true, order: 'verbatim' });

export type ResolvedAddresses = EgressResult<{ readonly addresses: readonly LookupAddress[] }>;

/**
 * Resolves `hostname` and checks EVERY address: one private address among public ones refuses the whole name,
 * since the connection may be made to any of them (RFC 8305 Happy Eyeballs tries several). The platform policy
 * judges each address first; the org's rules, when given, can only refuse more.
 */
export async function resolveChecked(
  hostname: string,
  allow: EgressAllowlist,
  lookup: EgressLookup,
  org: OrgEgressRules = EMPTY_ORG_RULES,
): Promise<ResolvedAddresses> {
  const family = isIP(hostname);
  if (family !== 0) {
    const verdict = checkAddress(hostname, allow);
    if (!verdict.ok) return verdict;
    const orgVerdict = judgeOrgAddress(org, hostname);
    return orgVerdict.ok ? { ok: true, addresses: [{ address: hostname, family }] } : orgVerdict;
  }
  let addresses: readonly LookupAddress[];
  try {
    addresses = await lookup(hostname);
  } catch (err) {
    const reason = (err as { code?: unknown }).code ?? (err as Error).message;
    return fail('egress_dns_failed', `could not resolve ${hostname} (${String(reason)})`);
  }
  if (addresses.length === 0) return fail('egress_dns_failed', `${hostname} has no addresses`);
  for (const { address } of addresses) {
    const verdict = checkAddress(address, allow, hostname);
    if (!verdict.ok) return verdict;
    const orgVerdict = judgeOrgAddress(org, address, hostname);
    if (!orgVerdict.ok) return orgVerdict;
  }
  return { ok: true, addresses };
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

interface LookupOptions {
  readonly family?: number | string;
  readonly all?: boolean;
}

/**
 * A `net.connect` lookup that resolves, checks every address, and hands the socket only checked addresses, so
 * the address judged is the address connected to: a DNS answer that changes between check and connect
 * (rebinding) cannot slip a private address in.
 */
export function guardedConnectLookup(
  allow: EgressAllowlist,
  lookup: EgressLookup,
  org: OrgEgressRules = EMPTY_ORG_RULES,
) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const answer = async (): Promise<LookupAddress[]> => {
      const result = await resolveChecked(hostname, allow, lookup, org);
      if (!result.ok) throw EgressError.from(result);
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const list = result.addresses.filter((a) => family === undefined || a.family === family);
      if (list.length === 0) {
        throw new EgressError('egress_dns_failed', `${hostname} has no IPv${family} address`);
      }
      return list.map((a) => ({ address: a.address, family: a.family }));
    };
    answer().then(
      (list) => {
        const first = list[0]!;
        if (options.all === true) callback(null, list);
        else callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}
