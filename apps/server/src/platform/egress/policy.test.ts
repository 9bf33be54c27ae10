import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST, parseEgressAllow } from './allowlist.ts';
import { checkAddress } from './policy.ts';

describe('checkAddress', () => {
  it('refuses a string that is not an IP address, saying so', () => {
    expect(checkAddress('db.internal', EMPTY_ALLOWLIST)).toEqual({
      ok: false,
      code: 'egress_address_blocked',
      detail: 'db.internal is not a valid IP address',
    });
  });

  it('names the IPv4 address an IPv6 one embeds, and offers that address as the fix', () => {
    expect(checkAddress('::ffff:10.0.0.5', EMPTY_ALLOWLIST)).toEqual({
      ok: false,
      code: 'egress_address_blocked',
      detail:
        '::ffff:10.0.0.5 (which embeds 10.0.0.5) is a private address (RFC 1918); to allow it, add 10.0.0.5/32 to SPRINTCONNECT_EGRESS_ALLOW',
    });
  });

  it('names the host an address was resolved from, and offers the host or the address as the fix', () => {
    const verdict = checkAddress('10.0.0.5', EMPTY_ALLOWLIST, 'db.test');
    expect(verdict.ok ? '' : verdict.detail).toBe(
      'db.test resolves to 10.0.0.5, which is a private address (RFC 1918); to allow it, add db.test or 10.0.0.5/32 to SPRINTCONNECT_EGRESS_ALLOW',
    );
  });

  it('lets an allowlisted host name reach the private address it resolves to, and nothing else', () => {
    const allow = parseEgressAllow('db.test');
    if (!allow.ok) throw new Error('bad allowlist');
    expect(checkAddress('10.0.0.5', allow.allow, 'db.test')).toEqual({ ok: true, address: '10.0.0.5' });
    expect(checkAddress('10.0.0.5', allow.allow, 'other.test').ok).toBe(false);
    expect(checkAddress('10.0.0.5', allow.allow).ok).toBe(false);
  });
});
