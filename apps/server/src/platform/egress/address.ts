import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { BlockedRange } from './ranges.ts';
import { blockedRangeOfIPv4, blockedRangeOfIPv6, isMetadataAddress, RANGE_LABELS } from './ranges.ts';

/**
 * The verdict on one IP address. `address` is the address that was judged: for an IPv6 address that embeds an
 * IPv4 one (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4) it is the embedded IPv4, because that is where a
 * packet ends up; so `::ffff:a.b.c.d` and `a.b.c.d` classify identically.
 */
export type AddressClass =
  | { readonly kind: 'public'; readonly address: string }
  | {
      readonly kind: 'blocked';
      readonly address: string;
      readonly range: BlockedRange;
      readonly label: string;
    }
  | { readonly kind: 'metadata'; readonly address: string }
  | { readonly kind: 'invalid'; readonly address: string };

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses a canonical IP literal (dotted-quad IPv4, or IPv6 without brackets). Anything else is undefined. */
export function parseIp(ip: string): Parsed | undefined {
  // net.isIP accepts only canonical dotted-quad IPv4 (no octal, hex or short forms) and well-formed IPv6.
  const family = isIP(ip);
  if (family === 0) return undefined;
  const bare = ip.split('%')[0] ?? ip; // a zone id (RFC 6874) does not change where the address points
  try {
    return family === 4 ? ipaddr.IPv4.parse(bare) : ipaddr.IPv6.parse(dottedTailToHex(bare));
  } catch {
    return undefined;
  }
}

/**
 * `::10.0.0.1` -> `::a00:1`. ipaddr.js 1.9 rejects a dotted tail after `::` (e.g. `64:ff9b::10.0.0.1`), and
 * inet_ntop prints IPv4-compatible addresses that way, so DNS answers can contain them.
 */
function dottedTailToHex(ip: string): string {
  const m = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (m === null) return ip;
  const [a, b, c, d] = m.slice(2).map(Number) as [number, number, number, number];
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function fromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * The IPv4 address a packet to this IPv6 address is delivered to, when the address is one of the standard
 * embeddings; undefined otherwise.
 */
export function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = addr.parts;
  const at = (i: number): number => p[i] ?? 0;
  const zeros = (from: number, to: number): boolean => p.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d, IPv4-mapped (RFC 4291 §2.5.5.2)
  if (zeros(0, 5) && at(5) === 0xffff) return fromParts(at(6), at(7));
  // ::ffff:0:a.b.c.d, IPv4-translated (RFC 6145 §2, SIIT)
  if (zeros(0, 4) && at(4) === 0xffff && at(5) === 0) return fromParts(at(6), at(7));
  // ::a.b.c.d, IPv4-compatible (RFC 4291 §2.5.5.1, deprecated); :: and ::1 are IPv6's own and judged as such
  if (zeros(0, 6) && (at(6) !== 0 || at(7) > 1)) return fromParts(at(6), at(7));
  // 64:ff9b::a.b.c.d, NAT64 well-known prefix (RFC 6052 §2.1)
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return fromParts(at(6), at(7));
  // 2002:aabb:ccdd::/48, 6to4 (RFC 3056 §2)
  if (at(0) === 0x2002) return fromParts(at(1), at(2));
  return undefined;
}

function judgeIPv4(addr: ipaddr.IPv4): AddressClass {
  const address = addr.toString();
  if (isMetadataAddress(addr)) return { kind: 'metadata', address };
  const range = blockedRangeOfIPv4(addr);
  if (range === undefined) return { kind: 'public', address };
  return { kind: 'blocked', address, range, label: RANGE_LABELS[range] };
}

/** Classifies a canonical IP literal. Pure. */
export function classifyAddress(ip: string): AddressClass {
  const addr = parseIp(ip);
  if (addr === undefined) return { kind: 'invalid', address: ip };
  if (addr.kind() === 'ipv4') return judgeIPv4(addr as ipaddr.IPv4);
  const v6addr = addr as ipaddr.IPv6;
  const inner = embeddedIPv4(v6addr);
  if (inner !== undefined) return judgeIPv4(inner);
  const address = v6addr.toString();
  if (isMetadataAddress(v6addr)) return { kind: 'metadata', address };
  const range = blockedRangeOfIPv6(v6addr);
  if (range === undefined) return { kind: 'public', address };
  return { kind: 'blocked', address, range, label: RANGE_LABELS[range] };
}
