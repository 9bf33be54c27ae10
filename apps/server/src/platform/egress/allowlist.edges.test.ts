import { describe, expect, it } from 'vitest';
import { allowsAddress, EMPTY_ALLOWLIST, parseEgressAllow } from './allowlist.ts';

const errorsOf = (value: string) => {
  const r = parseEgressAllow(value);
  return r.ok ? [] : r.errors;
};

describe('SPRINTCONNECT_EGRESS_ALLOW entries at their edges', () => {
  it('is empty when unset: no blocks, hosts or wildcards', () => {
    const unset = parseEgressAllow('');
    if (!unset.ok) throw new Error(unset.errors.join('; '));
    expect(EMPTY_ALLOWLIST).toEqual(unset.allow);
    expect(Object.isFrozen(EMPTY_ALLOWLIST)).toBe(true);
  });

  it('reads an IPv6 block up to /128, and a bare IPv6 address as /128', () => {
    const r = parseEgressAllow('fd00::/64,fd00::1');
    expect(r.ok && r.allow.cidrs.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual([
      'fd00::/64',
      'fd00::1/128',
    ]);
    expect(errorsOf('::1/129')).toEqual([
      'SPRINTCONNECT_EGRESS_ALLOW: "::1/129" has an invalid prefix length (use /0 to /128)',
    ]);
  });

  it('says which prefix lengths an IPv4 block takes', () => {
    expect(errorsOf('10.0.0.0/33')).toEqual([
      'SPRINTCONNECT_EGRESS_ALLOW: "10.0.0.0/33" has an invalid prefix length (use /0 to /32)',
    ]);
  });

  it.each(['10.0.0.0/0x8', '10.0.0.0/1e1', '10.0.0.0/ 8', '10.0.0.0/8x'])(
    'takes a prefix length in decimal digits only, refusing %s',
    (entry) => {
      expect(errorsOf(entry)).toEqual([expect.stringContaining(`"${entry}" has an invalid prefix length`)]);
    },
  );

  it('says so when the address part of a block is not an IP address', () => {
    expect(errorsOf('999.0.0.1/8')).toEqual([
      'SPRINTCONNECT_EGRESS_ALLOW: "999.0.0.1/8" is not a valid IP address or CIDR block',
    ]);
  });

  it('takes a host name of up to 253 characters and refuses a longer one', () => {
    const label = (c: string, n: number) => c.repeat(n);
    const longest = [label('a', 63), label('b', 63), label('c', 63), label('d', 61)].join('.');
    expect(longest).toHaveLength(253);
    expect(parseEgressAllow(longest).ok).toBe(true);
    expect(parseEgressAllow(`${longest}d`).ok).toBe(false);
  });

  it('refuses a name a URL parser reads as an IPv4 address (URL Standard §3.5): a numeric last label, or a bare number', () => {
    for (const entry of ['svc.12', 'svc.0x1f', 'svc.0x', '12', '300'])
      expect(errorsOf(entry), entry).toHaveLength(1);
    for (const entry of ['svc.1abc', 'a.1.example']) expect(errorsOf(entry), entry).toEqual([]);
  });
});

describe('allowsAddress', () => {
  it('allows nothing that is not an IP address, even under a block covering everything', () => {
    const r = parseEgressAllow('0.0.0.0/0,::/0');
    if (!r.ok) throw new Error('bad allowlist');
    expect(allowsAddress(r.allow, 'not-an-ip')).toBe(false);
    expect(allowsAddress(r.allow, '10.0.0.1')).toBe(true);
  });
});
