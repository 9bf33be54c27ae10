import { describe, expect, it } from 'vitest';
import type { EgressAllowlist } from './allowlist.ts';
import { parseEgressAllow } from './allowlist.ts';
import type { EgressErrorCode } from './errors.ts';
import { egressPorts } from './ports.ts';
import { parseTargetUrl } from './url.ts';

function allowOf(value: string): EgressAllowlist {
  const parsed = parseEgressAllow(value);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.allow;
}

const NONE = allowOf('');
/** Deliberately generous: everything private is allowlisted, to show which refusals no allowlist can lift. */
const WIDE = allowOf('0.0.0.0/0,::/0');
/** Every port the port policy can allow, so these cases are judged on their address alone. */
const ALL_PORTS = egressPorts('1-65535');

type Row = readonly [payload: string, code: EgressErrorCode, allow?: EgressAllowlist];

const REFUSED: readonly Row[] = [
  ['http://2130706433/', 'egress_noncanonical_ip'],
  ['http://2130706433/', 'egress_noncanonical_ip', WIDE],
  ['http://0x7f.1/', 'egress_noncanonical_ip', WIDE],
  ['http://0x7f000001/', 'egress_noncanonical_ip', WIDE],
  ['http://0X7F.0.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://0177.0.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://017700000001/', 'egress_noncanonical_ip', WIDE],
  ['http://127.1/', 'egress_noncanonical_ip', WIDE],
  ['http://127.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://127.000.000.001/', 'egress_noncanonical_ip', WIDE],
  ['http://010.0.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://127.0.0.1./', 'egress_noncanonical_ip', WIDE],
  ['http://%31%32%37.0.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://\uff11\uff12\uff17.0.0.1/', 'egress_noncanonical_ip', WIDE],
  ['http://0x08080808/', 'egress_noncanonical_ip'],
  ['http://134744072/', 'egress_noncanonical_ip'],
  ['http://[::1]/', 'egress_address_blocked'],
  ['http://[::]/', 'egress_address_blocked'],
  ['http://[::ffff:127.0.0.1]/', 'egress_address_blocked'],
  ['http://[::ffff:7f00:1]/', 'egress_address_blocked'],
  ['http://[0:0:0:0:0:ffff:7f00:1]/', 'egress_address_blocked'],
  ['http://[::127.0.0.1]/', 'egress_address_blocked'],
  ['http://[64:ff9b::10.0.0.1]/', 'egress_address_blocked'],
  ['http://[2002:c0a8:101::1]/', 'egress_address_blocked'],
  ['http://[fe80::1]/', 'egress_address_blocked'],
  ['http://0.0.0.0/', 'egress_address_blocked'],
  ['http://127.0.0.1/', 'egress_address_blocked'],
  ['http://10.0.0.1', 'egress_address_blocked'],
  ['http://172.16.5.4/', 'egress_address_blocked'],
  ['http://192.168.1.1/', 'egress_address_blocked'],
  ['http://100.64.0.1', 'egress_address_blocked'],
  ['http://224.0.0.1/', 'egress_address_blocked'],
  ['http://255.255.255.255/', 'egress_address_blocked'],
  ['http://240.0.0.1/', 'egress_address_blocked'],
  ['http://198.18.0.1/', 'egress_address_blocked'],
  ['http://[fd00::1]', 'egress_address_blocked'],
  ['http://169.254.169.254/latest/meta-data', 'egress_metadata_blocked'],
  ['http://169.254.169.254/latest/meta-data', 'egress_metadata_blocked', allowOf('169.254.0.0/16')],
  ['http://169.254.169.254/', 'egress_metadata_blocked', WIDE],
  ['http://[::ffff:169.254.169.254]/', 'egress_metadata_blocked', WIDE],
  ['http://[fd00:ec2::254]/', 'egress_metadata_blocked', WIDE],
  ['http://100.100.100.200/', 'egress_metadata_blocked', WIDE],
  ['http://169.254.170.2/v2/credentials', 'egress_metadata_blocked', WIDE],
  ['http://user:pass@example.com', 'egress_userinfo_not_allowed'],
  ['http://user@example.com/', 'egress_userinfo_not_allowed'],
  ['http://@example.com/', 'egress_userinfo_not_allowed'],
  ['http://example.com@127.0.0.1/', 'egress_userinfo_not_allowed', WIDE],
  ['ftp://x', 'egress_scheme_not_allowed'],
  ['file:///etc/passwd', 'egress_scheme_not_allowed'],
  ['gopher://127.0.0.1:6379/_INFO', 'egress_scheme_not_allowed'],
  ['javascript:alert(1)', 'egress_scheme_not_allowed'],
  ['not a url', 'egress_invalid_url'],
  ['/relative/path', 'egress_invalid_url'],
  ['http://08.0.0.1/', 'egress_invalid_url'],
  ['http://4294967296/', 'egress_invalid_url'],
];

describe('parseTargetUrl', () => {
  const rows = REFUSED.map(([payload, code, allow]) => [payload, code, allow ?? NONE] as const);
  it.each(rows)('refuses %s with %s', (payload, code, allow) => {
    const result = parseTargetUrl(payload, allow);
    expect(result.ok ? 'ok' : result.code).toBe(code);
  });

  it.each([
    'https://93.184.215.14/',
    'http://8.8.8.8:8080/x?y=1',
    'https://example.com/mcp',
    'https://EXAMPLE.com./mcp',
    'https://[2606:4700:4700::1111]/',
    'https://mcp.example.com/path@with-at?q=a@b#frag@x',
  ])('allows the public URL %s', (payload) => {
    expect(parseTargetUrl(payload, NONE, ALL_PORTS).ok).toBe(true);
  });

  it('allows an allowlisted 127.0.0.1/32 written canonically, with a port', () => {
    const result = parseTargetUrl('http://127.0.0.1:3000/mcp', allowOf('127.0.0.1/32'), ALL_PORTS);
    expect(result).toMatchObject({ ok: true, host: { kind: 'ip', address: '127.0.0.1' } });
  });

  it('judges an IPv4-mapped IPv6 literal by its IPv4 address, so an IPv4 allowlist entry covers it', () => {
    expect(parseTargetUrl('http://[::ffff:127.0.0.1]/', allowOf('127.0.0.1/32')).ok).toBe(true);
  });

  it('ignores leading and trailing spaces and control characters, as the URL parser does', () => {
    expect(parseTargetUrl(' \t127.0.0.1 ', allowOf('127.0.0.1/32')).ok).toBe(false);
    expect(parseTargetUrl(' \thttp://127.0.0.1/ \n', allowOf('127.0.0.1/32')).ok).toBe(true);
  });

  it('returns a host name untouched for later resolution', () => {
    const result = parseTargetUrl('https://Internal.Example.Test:8443/x', NONE, ALL_PORTS);
    expect(result).toMatchObject({ ok: true, host: { kind: 'name', name: 'internal.example.test' } });
  });

  it('names the setting and the CIDR to add when it refuses a private address', () => {
    const result = parseTargetUrl('http://127.0.0.1/');
    expect(result).toEqual({
      ok: false,
      code: 'egress_address_blocked',
      detail: '127.0.0.1 is a loopback address; to allow it, add 127.0.0.1/32 to SPRINTCONNECT_EGRESS_ALLOW',
    });
  });

  it('says a metadata address cannot be allowed', () => {
    const result = parseTargetUrl('http://169.254.169.254/', WIDE);
    expect(result.ok ? '' : result.detail).toMatch(/always blocked/);
  });

  it('refuses a non-canonical literal even when it spells a public address', () => {
    expect(parseTargetUrl('http://0x5db8d70e/').ok).toBe(false);
  });
});
