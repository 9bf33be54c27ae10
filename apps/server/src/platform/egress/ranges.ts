import ipaddr from 'ipaddr.js';

/**
 * Address ranges that outbound calls must not reach unless an operator allows them. Built from the IANA IPv4
 * and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) rather than ipaddr.js's own
 * `range()`, whose tables (1.9.x) miss several non-global blocks such as 198.18.0.0/15 and 64:ff9b:1::/48.
 */
export type BlockedRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrierGradeNat'
  | 'linkLocal'
  | 'uniqueLocal'
  | 'siteLocal'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** How each range is named in an operator-facing detail: "<address> is <label>". */
export const RANGE_LABELS: Readonly<Record<BlockedRange, string>> = Object.freeze({
  unspecified: 'an unspecified ("this network") address',
  loopback: 'a loopback address',
  private: 'a private address (RFC 1918)',
  carrierGradeNat: 'a carrier-grade NAT address (RFC 6598)',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address (RFC 4193)',
  siteLocal: 'a deprecated site-local address (RFC 3879)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address (RFC 2544)',
  reserved: 'a reserved, non-global address',
});

type Entry<T> = readonly [T, number, BlockedRange];

function v4(cidr: string, range: BlockedRange): Entry<ipaddr.IPv4> {
  const [addr, bits] = ipaddr.IPv4.parseCIDR(cidr);
  return [addr, bits, range];
}

function v6(cidr: string, range: BlockedRange): Entry<ipaddr.IPv6> {
  const [addr, bits] = ipaddr.IPv6.parseCIDR(cidr);
  return [addr, bits, range];
}

/** First match wins, so the broadcast /32 precedes the reserved 240.0.0.0/4 that contains it. */
const IPV4_BLOCKED: readonly Entry<ipaddr.IPv4>[] = [
  v4('0.0.0.0/8', 'unspecified'), // RFC 791, RFC 1122 §3.2.1.3 "this network"
  v4('10.0.0.0/8', 'private'), // RFC 1918
  v4('100.64.0.0/10', 'carrierGradeNat'), // RFC 6598
  v4('127.0.0.0/8', 'loopback'), // RFC 1122 §3.2.1.3
  v4('169.254.0.0/16', 'linkLocal'), // RFC 3927
  v4('172.16.0.0/12', 'private'), // RFC 1918
  v4('192.0.0.0/24', 'reserved'), // RFC 6890 IETF protocol assignments (DS-Lite, NAT64 discovery, ...)
  v4('192.0.2.0/24', 'documentation'), // RFC 5737 TEST-NET-1
  v4('192.88.99.0/24', 'reserved'), // RFC 7526 deprecated 6to4 relay anycast
  v4('192.168.0.0/16', 'private'), // RFC 1918
  v4('198.18.0.0/15', 'benchmarking'), // RFC 2544
  v4('198.51.100.0/24', 'documentation'), // RFC 5737 TEST-NET-2
  v4('203.0.113.0/24', 'documentation'), // RFC 5737 TEST-NET-3
  v4('224.0.0.0/4', 'multicast'), // RFC 5771
  v4('255.255.255.255/32', 'broadcast'), // RFC 919, RFC 8190
  v4('240.0.0.0/4', 'reserved'), // RFC 1112 §4 "reserved for future use"
];

/**
 * IPv6 blocks that do not embed an IPv4 address. The embedding prefixes (::ffff:0:0/96, ::/96,
 * ::ffff:0:0:0/96, 64:ff9b::/96, 2002::/16) are unwrapped by `address.ts` and judged as the IPv4 inside.
 */
const IPV6_BLOCKED: readonly Entry<ipaddr.IPv6>[] = [
  v6('::/128', 'unspecified'), // RFC 4291 §2.5.2
  v6('::1/128', 'loopback'), // RFC 4291 §2.5.3
  v6('64:ff9b:1::/48', 'reserved'), // RFC 8215 local-use NAT64: translates to private IPv4 space
  v6('100::/64', 'reserved'), // RFC 6666 discard-only
  v6('2001:db8::/32', 'documentation'), // RFC 3849
  v6('2001::/23', 'reserved'), // RFC 2928 IETF protocol assignments, incl. Teredo 2001::/32 (RFC 4380)
  v6('3fff::/20', 'documentation'), // RFC 9637
  v6('5f00::/16', 'reserved'), // RFC 9602 SRv6 SIDs
  v6('fc00::/7', 'uniqueLocal'), // RFC 4193
  v6('fe80::/10', 'linkLocal'), // RFC 4291 §2.5.6
  v6('fec0::/10', 'siteLocal'), // RFC 3879
  v6('ff00::/8', 'multicast'), // RFC 4291 §2.7
];

/**
 * Only 2000::/3 is allocated as global unicast (RFC 4291 §2.4); the rest of the IPv6 space is not routable.
 */
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Cloud instance-metadata endpoints: reachable from inside a VM, they hand out credentials, so they stay
 * blocked even when an operator allowlists the range around them.
 */
const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254', // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack IMDS
  '169.254.170.2', // AWS ECS task metadata and credentials
  '169.254.170.23', // AWS EKS Pod Identity agent
  '100.100.100.200', // Alibaba Cloud ECS metadata
  '168.63.129.16', // Azure WireServer (a public address, but host-only)
  '192.0.0.192', // Oracle Cloud legacy metadata
  'fd00:ec2::254', // AWS IMDS over IPv6 (Nitro)
  'fd00:ec2::23', // AWS EKS Pod Identity agent over IPv6
];

const METADATA = new Set(METADATA_ADDRESSES.map((a) => ipaddr.parse(a).toNormalizedString()));

export function isMetadataAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return METADATA.has(addr.toNormalizedString());
}

export function blockedRangeOfIPv4(addr: ipaddr.IPv4): BlockedRange | undefined {
  return IPV4_BLOCKED.find(([net, bits]) => addr.match(net, bits))?.[2];
}

export function blockedRangeOfIPv6(addr: ipaddr.IPv6): BlockedRange | undefined {
  const hit = IPV6_BLOCKED.find(([net, bits]) => addr.match(net, bits))?.[2];
  if (hit !== undefined) return hit;
  return addr.match(IPV6_GLOBAL_UNICAST) ? undefined : 'reserved';
}
