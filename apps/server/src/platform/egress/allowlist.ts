import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { embeddedIPv4, parseIp } from './address.ts';
import { ALLOW_SETTING } from './errors.ts';

export type Cidr = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * What SPRINTCONNECT_EGRESS_ALLOW lets outbound calls reach although it is private: CIDR blocks, exact host
 * names, and `*.suffix` wildcards (subdomains only, not the apex). Cloud metadata addresses are never
 * allowed.
 */
export interface EgressAllowlist {
  readonly cidrs: readonly Cidr[];
  readonly hosts: readonly string[];
  /** Each stored with its leading dot, e.g. `.corp.example`. */
  readonly suffixes: readonly string[];
}

export type AllowParseResult =
  | { readonly ok: true; readonly allow: EgressAllowlist }
  | { readonly ok: false; readonly errors: readonly string[] };

export const EMPTY_ALLOWLIST: EgressAllowlist = Object.freeze({ cidrs: [], hosts: [], suffixes: [] });

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** One CIDR block or bare address; a string is the reason it is not one. Shared with org egress rules. */
export function parseCidr(entry: string): { cidr: Cidr } | string {
  const slash = entry.indexOf('/');
  const ipPart = slash === -1 ? entry : entry.slice(0, slash);
  const bitsPart = slash === -1 ? undefined : entry.slice(slash + 1);
  const addr = parseIp(ipPart);
  if (addr === undefined) return `"${entry}" is not a valid IP address or CIDR block`;
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  const bits = bitsPart === undefined ? max : /^\d{1,3}$/.test(bitsPart) ? Number(bitsPart) : Number.NaN;
  if (!(bits >= 0 && bits <= max)) return `"${entry}" has an invalid prefix length (use /0 to /${max})`;
  const network = ipaddr.fromByteArray(
    addr.toByteArray().map((byte, i) => byte & (0xff << Math.max(0, Math.min(8, (i + 1) * 8 - bits)))),
  );
  if (network.toNormalizedString() !== addr.toNormalizedString()) {
    // A typo such as 10.1.2.3/8 usually means 10.0.0.0/8, but guessing would widen access silently.
    return `"${entry}" has host bits set; did you mean ${network.toString()}/${bits}?`;
  }
  return { cidr: [addr, bits] };
}

/** One host name or `*.suffix` wildcard (IDNA to ASCII); a string is the reason it is not one. */
export function parseHost(entry: string): { host: string; wildcard: boolean } | string {
  const wildcard = entry.startsWith('*.');
  const ascii = domainToASCII(wildcard ? entry.slice(2) : entry).replace(/\.$/, '');
  const labels = ascii.split('.');
  const valid = ascii !== '' && ascii.length <= 253 && labels.every((l) => LABEL.test(l));
  // A numeric last label would make WHATWG URL parsing read the name as an IPv4 address (URL Standard §3.5).
  if (!valid || /^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? '')) {
    return `"${entry}" is neither a CIDR block (e.g. 10.0.0.0/8) nor a host name (e.g. mcp.internal)`;
  }
  return { host: ascii, wildcard };
}

/**
 * Parses SPRINTCONNECT_EGRESS_ALLOW (comma-separated, or already split by config) and lists every bad entry,
 * so an operator fixes them all in one pass.
 */
export function parseEgressAllow(value: string | readonly string[]): AllowParseResult {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter(Boolean);
  const errors: string[] = [];
  const cidrs: Cidr[] = [];
  const hosts: string[] = [];
  const suffixes: string[] = [];
  for (const raw of entries) {
    const entry = raw.toLowerCase();
    if (entry.includes('/') || entry.includes(':') || isIP(entry) !== 0) {
      const parsed = parseCidr(entry);
      if (typeof parsed === 'string') errors.push(`${ALLOW_SETTING}: ${parsed}`);
      else cidrs.push(parsed.cidr);
    } else {
      const parsed = parseHost(entry);
      if (typeof parsed === 'string') errors.push(`${ALLOW_SETTING}: ${parsed}`);
      else if (parsed.wildcard) suffixes.push(`.${parsed.host}`);
      else hosts.push(parsed.host);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, allow: Object.freeze({ cidrs, hosts, suffixes }) };
}

/** True when the address, or the IPv4 address it embeds, lies in an allowlisted CIDR block. */
export function allowsAddress(allow: EgressAllowlist, ip: string): boolean {
  return allow.cidrs.some((cidr) => inCidr(cidr, ip));
}

/** True when the address, or the IPv4 address it embeds (where a packet to it ends up), lies in the block. */
export function inCidr([net, bits]: Cidr, ip: string): boolean {
  const addr = parseIp(ip);
  if (addr === undefined) return false;
  const candidates: (ipaddr.IPv4 | ipaddr.IPv6)[] = [addr];
  if (addr.kind() === 'ipv6') {
    const inner = embeddedIPv4(addr as ipaddr.IPv6);
    if (inner !== undefined) candidates.push(inner);
  }
  return candidates.some(
    (c) => c.kind() === net.kind() && (c as ipaddr.IPv4).match(net as ipaddr.IPv4, bits),
  );
}

/** True when the host name (as WHATWG URL serializes it: lowercase, punycode) is allowlisted. */
export function allowsHost(allow: EgressAllowlist, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allow.hosts.includes(host) || allow.suffixes.some((s) => host.endsWith(s));
}
