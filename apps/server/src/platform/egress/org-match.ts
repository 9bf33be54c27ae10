import { isIP } from 'node:net';
import { inCidr } from './allowlist.ts';
import type { EgressFailure } from './errors.ts';
import { fail } from './errors.ts';
import type { OrgEgressRules, OrgRuleEntry } from './org-rules.ts';
import type { TargetHost } from './url.ts';

/**
 * Judging a destination against an org's rules, in two steps that mirror the platform policy: `judgeOrgTarget`
 * before any network use (the URL's host and port), `judgeOrgAddress` for every address a name resolves to,
 * at check time and again at connect time (so a name that resolves into a denied block is refused, and DNS
 * pinning covers org rules too). Every refusal names the rule; `rule` is its metric label.
 */
export type OrgVerdict = { readonly ok: true; readonly rule: string | undefined } | EgressFailure;

const CODE = 'egress_denied_by_org_policy';
const POLICY = 'the org egress policy';

const label = (list: 'allowlist' | 'denylist', e: OrgRuleEntry) => `${list}:${e.entry}`;

function matchesName(e: OrgRuleEntry, host: string): boolean {
  if (e.kind === 'host') return e.host === host;
  if (e.kind === 'suffix') return host.endsWith(e.suffix);
  return false;
}

const matchesAddress = (e: OrgRuleEntry, ip: string): boolean => e.kind === 'cidr' && inCidr(e.cidr, ip);

/** A host name as compared: lower case, no trailing dot (URL hosts are already lower-case ASCII). */
const normal = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The host and effective port of a URL, with IPv6 brackets removed. */
export function targetOf(url: URL): { host: TargetHost; port: number } {
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const host: TargetHost = isIP(bare) === 0 ? { kind: 'name', name: bare } : { kind: 'ip', address: bare };
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { host, port };
}

/** The port rule, on its own: the connector applies it to every socket, whatever the URL said. */
export function judgeOrgPort(rules: OrgEgressRules, port: number): OrgVerdict {
  if (rules.deniedPorts.includes(port)) {
    return fail(CODE, `port ${port} is denied by ${POLICY}`, `denied_port:${port}`);
  }
  return { ok: true, rule: undefined };
}

/**
 * What the URL alone decides. A name that matches no allowlisted name passes here when the allowlist has CIDR
 * blocks: whether its addresses lie in them is decided after resolution.
 */
export function judgeOrgTarget(rules: OrgEgressRules, host: TargetHost, port: number): OrgVerdict {
  const portVerdict = judgeOrgPort(rules, port);
  if (!portVerdict.ok) return portVerdict;
  if (host.kind === 'ip') return judgeOrgAddress(rules, host.address);
  const name = normal(host.name);
  const denied = rules.deny.find((e) => matchesName(e, name));
  if (denied !== undefined) {
    return fail(
      CODE,
      `${name} matches denylist entry ${denied.entry} of ${POLICY}`,
      label('denylist', denied),
    );
  }
  if (rules.allow.length === 0) return { ok: true, rule: undefined };
  const allowed = rules.allow.find((e) => matchesName(e, name));
  if (allowed !== undefined) return { ok: true, rule: label('allowlist', allowed) };
  if (rules.allow.some((e) => e.kind === 'cidr')) return { ok: true, rule: undefined };
  return fail(CODE, `${name} is not on the allowlist of ${POLICY}`, 'allowlist');
}

/**
 * One address a connection may be made to. `hostname` is the name it was resolved from: an allowlisted name
 * admits its addresses, but a denylisted block refuses them whatever the name.
 */
export function judgeOrgAddress(rules: OrgEgressRules, ip: string, hostname?: string): OrgVerdict {
  const subject = hostname === undefined ? ip : `${normal(hostname)} resolves to ${ip}, which`;
  const denied = rules.deny.find((e) => matchesAddress(e, ip));
  if (denied !== undefined) {
    return fail(
      CODE,
      `${subject} is in denylist entry ${denied.entry} of ${POLICY}`,
      label('denylist', denied),
    );
  }
  if (rules.allow.length === 0) return { ok: true, rule: undefined };
  const byName =
    hostname === undefined ? undefined : rules.allow.find((e) => matchesName(e, normal(hostname)));
  if (byName !== undefined) return { ok: true, rule: label('allowlist', byName) };
  const byAddress = rules.allow.find((e) => matchesAddress(e, ip));
  if (byAddress !== undefined) return { ok: true, rule: label('allowlist', byAddress) };
  return fail(CODE, `${subject} is not on the allowlist of ${POLICY}`, 'allowlist');
}
