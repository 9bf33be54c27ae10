import type ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { classifyAddress, embeddedIPv4, parseIp } from './address.ts';

const v6 = (s: string): ipaddr.IPv6 => parseIp(s) as ipaddr.IPv6;

describe('which IPv6 addresses embed an IPv4 one', () => {
  it('reads ::0.0.0.2 as IPv4-compatible: only :: and ::1 are IPv6 addresses of their own', () => {
    expect(embeddedIPv4(v6('::2'))?.toString()).toBe('0.0.0.2');
    expect(classifyAddress('::2')).toEqual(classifyAddress('0.0.0.2'));
  });

  it.each([
    ['::ffff:1:a00:1', 'ffff in the translated position but a non-zero group after it'],
    ['64::a00:1', 'the first group of the NAT64 prefix alone'],
    ['1:ff9b::a00:1', 'the second group of the NAT64 prefix alone'],
    ['64:ff9b:0:0:0:1:a00:1', 'the NAT64 prefix with a non-zero group before the IPv4 part'],
  ])('finds no IPv4 address inside %s (%s)', (ip) => {
    expect(embeddedIPv4(v6(ip))).toBeUndefined();
  });
});

describe('which strings are IP addresses', () => {
  it.each(['::ffff:0x7f.0.0.1', '::ffff:0177.0.0.1', '0::0:0:0:0:0:0:0'])(
    'treats %s, which ipaddr.js would read but Node does not, as invalid',
    (ip) => {
      expect(classifyAddress(ip)).toEqual({ kind: 'invalid', address: ip });
    },
  );

  it('judges an address with a zone identifier exactly as the address without it', () => {
    expect(classifyAddress('fe80::1%eth0')).toEqual(classifyAddress('fe80::1'));
  });
});
