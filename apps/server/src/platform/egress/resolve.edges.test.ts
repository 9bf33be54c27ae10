import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import { EgressError } from './errors.ts';
import { parseOrgEgressRules } from './org-rules.ts';
import type { EgressLookup } from './resolve.ts';
import { guardedConnectLookup, resolveChecked, systemLookup } from './resolve.ts';

const never: EgressLookup = async () => {
  throw new Error('an IP literal must not be resolved');
};
const answer =
  (...addresses: LookupAddress[]): EgressLookup =>
  async () =>
    addresses;

describe('resolveChecked', () => {
  it('judges an IP literal without resolving it, under the platform policy first', async () => {
    expect(await resolveChecked('10.0.0.1', EMPTY_ALLOWLIST, never)).toMatchObject({
      ok: false,
      code: 'egress_address_blocked',
    });
    expect(await resolveChecked('93.184.215.14', EMPTY_ALLOWLIST, never)).toEqual({
      ok: true,
      addresses: [{ address: '93.184.215.14', family: 4 }],
    });
  });

  it("refuses a name when one of its addresses is in the org's denylist", async () => {
    const org = parseOrgEgressRules({ deny: ['93.184.215.0/24'] });
    if (!org.ok) throw new Error('bad rules');
    const lookup = answer({ address: '1.1.1.1', family: 4 }, { address: '93.184.215.14', family: 4 });
    expect(await resolveChecked('api.example', EMPTY_ALLOWLIST, lookup, org.rules)).toMatchObject({
      ok: false,
      code: 'egress_denied_by_org_policy',
      rule: 'denylist:93.184.215.0/24',
    });
  });

  it('asks the OS resolver for every address of a name: localhost gives its loopback addresses', async () => {
    const addresses = await systemLookup('localhost');
    expect(Array.isArray(addresses)).toBe(true);
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) expect(['127.0.0.1', '::1']).toContain(a.address);
  });

  it('says a name has no addresses', async () => {
    expect(await resolveChecked('empty.example', EMPTY_ALLOWLIST, answer())).toEqual({
      ok: false,
      code: 'egress_dns_failed',
      detail: 'empty.example has no addresses',
    });
  });
});

describe('guardedConnectLookup and the family a socket asks for', () => {
  const v6first = answer({ address: '2606:4700::1', family: 6 }, { address: '93.184.215.14', family: 4 });
  const call = (options: { family?: number | string }) =>
    new Promise<{ err: unknown; address: unknown; family: unknown }>((resolve) => {
      guardedConnectLookup(EMPTY_ALLOWLIST, v6first)('host.test', options, (err, address, family) =>
        resolve({ err, address, family }),
      );
    });

  it('hands an IPv4 address to a socket that asks for IPv4', async () => {
    expect(await call({ family: 4 })).toEqual({ err: null, address: '93.184.215.14', family: 4 });
  });

  it('hands the first address of any family to a socket that asks for none (0 or unset)', async () => {
    expect(await call({ family: 0 })).toEqual({ err: null, address: '2606:4700::1', family: 6 });
    expect(await call({})).toEqual({ err: null, address: '2606:4700::1', family: 6 });
  });

  it('names the family a name has no address of', async () => {
    const v4only = answer({ address: '93.184.215.14', family: 4 });
    const err = await new Promise<unknown>((resolve) => {
      guardedConnectLookup(EMPTY_ALLOWLIST, v4only)('host.test', { family: 6 }, (e) => resolve(e));
    });
    expect(err).toBeInstanceOf(EgressError);
    expect((err as EgressError).detail).toBe('host.test has no IPv6 address');
  });
});
