import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST, parseEgressAllow } from './allowlist.ts';
import { EgressError } from './errors.ts';
import type { EgressLookup } from './resolve.ts';
import { guardedConnectLookup } from './resolve.ts';

const dual: EgressLookup = async () => [
  { address: '93.184.215.14', family: 4 },
  { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
];

/** Calls the net.connect-style lookup and captures what it hands back. */
function call(
  fn: ReturnType<typeof guardedConnectLookup>,
  options: { family?: number; all?: boolean },
): Promise<{ err: unknown; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => {
    fn('host.test', options, (err, address, family) => resolve({ err, address, family }));
  });
}

describe('guardedConnectLookup', () => {
  it('hands every checked address to a caller asking for all (Happy Eyeballs)', async () => {
    const { err, address } = await call(guardedConnectLookup(EMPTY_ALLOWLIST, dual), { all: true });
    expect(err).toBeNull();
    expect(address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  it('hands one address of the requested family to a caller asking for one', async () => {
    const result = await call(guardedConnectLookup(EMPTY_ALLOWLIST, dual), { family: 6 });
    expect(result).toEqual({ err: null, address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 });
  });

  it('fails the connection with an EgressError when any address is blocked', async () => {
    const mixed: EgressLookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    const { err } = await call(guardedConnectLookup(EMPTY_ALLOWLIST, mixed), { all: true });
    expect(err).toBeInstanceOf(EgressError);
    expect((err as EgressError).code).toBe('egress_address_blocked');
  });

  it('lets an allowlisted host name through to its private address', async () => {
    const allow = parseEgressAllow('host.test');
    if (!allow.ok) throw new Error('bad allowlist');
    const private4: EgressLookup = async () => [{ address: '10.0.0.1', family: 4 }];
    const result = await call(guardedConnectLookup(allow.allow, private4), {});
    expect(result).toEqual({ err: null, address: '10.0.0.1', family: 4 });
  });

  it('reports egress_dns_failed when no address has the requested family', async () => {
    const v4only: EgressLookup = async () => [{ address: '93.184.215.14', family: 4 }];
    const { err } = await call(guardedConnectLookup(EMPTY_ALLOWLIST, v4only), { family: 6 });
    expect((err as EgressError).code).toBe('egress_dns_failed');
  });
});
