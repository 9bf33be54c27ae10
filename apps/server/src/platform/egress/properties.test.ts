import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress } from './address.ts';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import { egressPorts } from './ports.ts';
import { parseTargetUrl } from './url.ts';

/**
 * An oracle written independently of ranges.ts: the IPv4 blocks egress must refuse, as [first address,
 * prefix] integers, straight from the IANA IPv4 Special-Purpose Address Registry, plus the metadata
 * addresses.
 */
const BLOCKED_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['100.100.100.200', 32],
  ['168.63.129.16', 32],
];

const toInt = (dotted: string): number => dotted.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const octets = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const dotted = (n: number): string => octets(n).join('.');
const hex4 = (n: number): string => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

function inOracle(n: number): boolean {
  return BLOCKED_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return n >= toInt(base) && n < toInt(base) + size;
  });
}

/** A random address inside a random blocked block. */
const blockedIPv4 = fc
  .constantFrom(...BLOCKED_V4)
  .chain(([base, bits]) => fc.nat({ max: 2 ** (32 - bits) - 1 }).map((offset) => toInt(base) + offset));

/** Every spelling of an IPv4 address a URL parser might accept, and the codes it may be refused with. */
const SPELLINGS: readonly (readonly [string, (n: number) => string, readonly string[]])[] = [
  ['dotted', (n) => dotted(n), ['egress_address_blocked', 'egress_metadata_blocked']],
  ['decimal integer', (n) => String(n), ['egress_noncanonical_ip']],
  ['hex integer', (n) => `0x${n.toString(16)}`, ['egress_noncanonical_ip']],
  ['octal integer', (n) => `0${n.toString(8)}`, ['egress_noncanonical_ip']],
  [
    'octal octets',
    (n) =>
      octets(n)
        .map((o) => `0${o.toString(8)}`)
        .join('.'),
    ['egress_noncanonical_ip'],
  ],
  [
    'hex octets',
    (n) =>
      octets(n)
        .map((o) => `0x${o.toString(16)}`)
        .join('.'),
    ['egress_noncanonical_ip'],
  ],
  ['two-part short', (n) => `${n >>> 24}.${n & 0xffffff}`, ['egress_noncanonical_ip']],
  ['three-part short', (n) => `${n >>> 24}.${(n >>> 16) & 255}.${n & 0xffff}`, ['egress_noncanonical_ip']],
  [
    'IPv4-mapped dotted',
    (n) => `[::ffff:${dotted(n)}]`,
    ['egress_address_blocked', 'egress_metadata_blocked'],
  ],
  ['IPv4-mapped hex', (n) => `[::ffff:${hex4(n)}]`, ['egress_address_blocked', 'egress_metadata_blocked']],
  ['NAT64', (n) => `[64:ff9b::${dotted(n)}]`, ['egress_address_blocked', 'egress_metadata_blocked']],
];

describe('egress properties', () => {
  it.each(SPELLINGS)('refuses every IPv4 in a blocked range written as %s', (_name, spell, codes) => {
    fc.assert(
      fc.property(blockedIPv4, (n) => {
        const result = parseTargetUrl(`http://${spell(n)}/`);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(codes).toContain(result.code);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every non-canonical spelling of any IPv4 address, public or not', () => {
    const noncanonical = SPELLINGS.filter(([, , codes]) => codes[0] === 'egress_noncanonical_ip');
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.constantFrom(...noncanonical), (n, [, spell]) => {
        // Port 8443 allowed, so a refusal can only come from the spelling.
        const result = parseTargetUrl(`https://${spell(n)}:8443/x`, EMPTY_ALLOWLIST, egressPorts('443,8443'));
        expect(result.ok ? 'ok' : result.code).not.toBe('ok');
      }),
      { numRuns: 500 },
    );
  });

  it('classifies ::ffff:a.b.c.d (dotted or hex) exactly as a.b.c.d', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (n) => {
        const plain = classifyAddress(dotted(n));
        expect(classifyAddress(`::ffff:${dotted(n)}`)).toEqual(plain);
        expect(classifyAddress(`::ffff:${hex4(n)}`)).toEqual(plain);
      }),
      { numRuns: 1000 },
    );
  });

  it('allows any public unicast IPv4 written in dotted canonical form', () => {
    const publicIPv4 = fc.nat({ max: 2 ** 32 - 1 }).filter((n) => !inOracle(n));
    fc.assert(
      fc.property(publicIPv4, (n) => {
        expect(classifyAddress(dotted(n))).toEqual({ kind: 'public', address: dotted(n) });
        expect(parseTargetUrl(`https://${dotted(n)}/`).ok).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with the oracle on every IPv4 address', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (n) => {
        expect(classifyAddress(dotted(n)).kind !== 'public').toBe(inOracle(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('classifies every well-formed IPv6 address, never as invalid', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(classifyAddress(ip).kind).not.toBe('invalid');
      }),
      { numRuns: 1000 },
    );
  });
});
