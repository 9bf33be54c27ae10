import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import { checkAddress } from './policy.ts';

/** The detail an operator reads names the kind of address refused, and the RFC that sets it apart. */
describe('blocked ranges, as an operator reads them', () => {
  it.each([
    ['0.1.2.3', 'an unspecified ("this network") address'],
    ['127.0.0.2', 'a loopback address'],
    ['10.1.2.3', 'a private address (RFC 1918)'],
    ['100.64.1.1', 'a carrier-grade NAT address (RFC 6598)'],
    ['169.254.1.1', 'a link-local address'],
    ['fd12::1', 'a unique-local address (RFC 4193)'],
    ['fec0::1', 'a deprecated site-local address (RFC 3879)'],
    ['239.1.1.1', 'a multicast address'],
    ['255.255.255.255', 'the broadcast address'],
    ['192.0.2.1', 'a documentation address'],
    ['198.51.100.7', 'a documentation address'],
    ['203.0.113.9', 'a documentation address'],
    ['198.18.0.1', 'a benchmarking address (RFC 2544)'],
    ['192.88.99.1', 'a reserved, non-global address'],
    ['5f00::1', 'a reserved, non-global address'],
  ])('calls %s %s', (ip, label) => {
    const verdict = checkAddress(ip, EMPTY_ALLOWLIST);
    expect(verdict.ok ? '' : verdict.detail).toBe(
      `${ip} is ${label}; to allow it, add ${ip}/${ip.includes(':') ? 128 : 32} to SPRINTCONNECT_EGRESS_ALLOW`,
    );
  });
});
