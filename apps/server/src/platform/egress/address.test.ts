import type ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { classifyAddress, embeddedIPv4, parseIp } from './address.ts';

const v6 = (s: string): ipaddr.IPv6 => parseIp(s) as ipaddr.IPv6;

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.19.255.255', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fdff:ffff::1', 'uniqueLocal'],
    ['fec0::1', 'siteLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('classifies %s as %s', (ip, range) => {
    expect(classifyAddress(ip)).toMatchObject({ kind: 'blocked', range });
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111'])(
    'classifies %s as public',
    (ip) => {
      expect(classifyAddress(ip)).toEqual({ kind: 'public', address: ip });
    },
  );

  it.each(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254', '::ffff:169.254.169.254'])(
    'classifies the cloud metadata address %s as metadata',
    (ip) => {
      expect(classifyAddress(ip).kind).toBe('metadata');
    },
  );

  it.each(['127.1', '0x7f.0.0.1', '2130706433', '010.0.0.1', 'example.com', '', '[::1]'])(
    'treats the non-canonical or non-IP input "%s" as invalid',
    (ip) => {
      expect(classifyAddress(ip).kind).toBe('invalid');
    },
  );

  it('judges ::ffff:7f00:1 as the IPv4 loopback address it maps', () => {
    expect(classifyAddress('::ffff:7f00:1')).toEqual(classifyAddress('127.0.0.1'));
  });

  it('ignores an IPv6 zone identifier when classifying', () => {
    expect(classifyAddress('fe80::1%eth0')).toMatchObject({ kind: 'blocked', range: 'linkLocal' });
  });
});

describe('embeddedIPv4', () => {
  it.each([
    ['::ffff:10.0.0.1', '10.0.0.1'], // RFC 4291 IPv4-mapped
    ['::ffff:0:10.0.0.1', '10.0.0.1'], // RFC 6145 IPv4-translated
    ['::10.0.0.1', '10.0.0.1'], // RFC 4291 IPv4-compatible
    ['64:ff9b::10.0.0.1', '10.0.0.1'], // RFC 6052 NAT64
    ['2002:a00:1::1', '10.0.0.1'], // RFC 3056 6to4
  ])('finds the IPv4 address inside %s', (ip, inner) => {
    expect(embeddedIPv4(v6(ip))?.toString()).toBe(inner);
  });

  it.each(['::', '::1', '2606:4700::1', 'fe80::a00:1'])('finds no IPv4 address inside %s', (ip) => {
    expect(embeddedIPv4(v6(ip))).toBeUndefined();
  });
});
