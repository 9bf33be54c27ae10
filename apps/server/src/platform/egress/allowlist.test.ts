import { describe, expect, it } from 'vitest';
import { allowsAddress, allowsHost, parseEgressAllow } from './allowlist.ts';

function parsed(value: string | readonly string[]) {
  const result = parseEgressAllow(value);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.allow;
}

describe('parseEgressAllow', () => {
  it('parses comma-separated CIDRs, bare addresses, host names and wildcards, ignoring blanks', () => {
    const allow = parsed(' 127.0.0.1/32, 10.0.0.0/8 ,,fd00::/8, 192.168.1.5, MCP.Internal, *.corp.example ');
    expect(allow.cidrs.map(([a, b]) => `${a.toString()}/${b}`)).toEqual([
      '127.0.0.1/32',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.5/32',
    ]);
    expect(allow.hosts).toEqual(['mcp.internal']);
    expect(allow.suffixes).toEqual(['.corp.example']);
  });

  it('accepts the entries already split by config', () => {
    expect(parsed(['127.0.0.1/32', 'svc.test']).hosts).toEqual(['svc.test']);
  });

  it('treats an empty value as an empty allowlist', () => {
    expect(parsed('')).toEqual({ cidrs: [], hosts: [], suffixes: [] });
  });

  it('lists every bad entry, each naming the setting', () => {
    const result = parseEgressAllow(
      '10.1.2.3/8,127.1,0x7f.1,foo_bar,::1/129,10.0.0.0/33,-bad.example,ok.test',
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(7);
    expect(errors.every((e) => e.startsWith('SPRINTCONNECT_EGRESS_ALLOW: '))).toBe(true);
    expect(errors[0]).toContain('did you mean 10.0.0.0/8?');
  });

  it('refuses a non-canonical IPv4 spelling such as 2130706433 as an entry', () => {
    expect(parseEgressAllow('2130706433').ok).toBe(false);
  });
});

describe('allowsAddress / allowsHost', () => {
  const allow = parsed('127.0.0.1/32,10.0.0.0/8,fd00::/8,svc.test,*.corp.example');

  it('matches an address inside an allowlisted block', () => {
    expect(allowsAddress(allow, '10.9.8.7')).toBe(true);
    expect(allowsAddress(allow, '11.0.0.1')).toBe(false);
    expect(allowsAddress(allow, 'fd12::1')).toBe(true);
  });

  it('matches an IPv4-mapped IPv6 address against IPv4 blocks', () => {
    expect(allowsAddress(allow, '::ffff:127.0.0.1')).toBe(true);
  });

  it('matches exact host names case-insensitively and wildcards on subdomains only', () => {
    expect(allowsHost(allow, 'SVC.test')).toBe(true);
    expect(allowsHost(allow, 'svc.test.')).toBe(true);
    expect(allowsHost(allow, 'a.svc.test')).toBe(false);
    expect(allowsHost(allow, 'mcp.corp.example')).toBe(true);
    expect(allowsHost(allow, 'corp.example')).toBe(false);
    expect(allowsHost(allow, 'evilcorp.example')).toBe(false);
  });
});
