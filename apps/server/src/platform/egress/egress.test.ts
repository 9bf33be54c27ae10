import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import type { Egress } from './egress.ts';
import { createEgress } from './egress.ts';
import { EgressError } from './errors.ts';
import type { EgressLookup } from './resolve.ts';

/** A resolver backed by a table; records every name it is asked for. */
function fakeDns(table: Record<string, readonly string[]>): EgressLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
      });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { asked });
}

const DNS = {
  'internal.example.test': ['10.0.0.5'],
  'mixed.example.test': ['93.184.215.14', '192.168.1.9'],
  'public.example.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'svc.test': ['127.0.0.1'],
  'imds.corp.example': ['169.254.169.254'],
  'mapped.example.test': ['::ffff:10.0.0.5'],
  'none.example.test': [],
} as const;

const open: Egress[] = [];
function egress(allow: string, lookup: EgressLookup = fakeDns(DNS)): Egress {
  const e = createEgress({ allow, lookup, ports: '80,443,8080' });
  open.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

describe('checkUrl', () => {
  it('refuses a name that resolves to a private address, naming the host and the CIDR to allow', async () => {
    const result = await egress('').checkUrl('https://internal.example.test/mcp');
    expect(result).toEqual({
      ok: false,
      code: 'egress_address_blocked',
      detail:
        'internal.example.test resolves to 10.0.0.5, which is a private address (RFC 1918); ' +
        'to allow it, add internal.example.test or 10.0.0.5/32 to SPRINTCONNECT_EGRESS_ALLOW',
    });
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const result = await egress('').checkUrl('https://mixed.example.test/');
    expect(result).toMatchObject({ ok: false, code: 'egress_address_blocked' });
  });

  it('refuses a name resolving to an IPv4-mapped private address', async () => {
    const result = await egress('').checkUrl('https://mapped.example.test/');
    expect(result).toMatchObject({ ok: false, code: 'egress_address_blocked' });
  });

  it('accepts a name whose every address is public and returns them', async () => {
    const result = await egress('').checkUrl('https://public.example.test/mcp');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.addresses.map((a) => a.address)).toEqual(DNS['public.example.test']);
  });

  it('accepts a private name allowlisted by host name or by CIDR', async () => {
    expect((await egress('svc.test').checkUrl('http://svc.test:8080/')).ok).toBe(true);
    expect((await egress('127.0.0.1/32').checkUrl('http://svc.test:8080/')).ok).toBe(true);
    expect((await egress('*.example.test').checkUrl('http://internal.example.test/')).ok).toBe(true);
  });

  it('refuses a metadata address even behind an allowlisted name', async () => {
    const result = await egress('*.corp.example,169.254.0.0/16').checkUrl('http://imds.corp.example/');
    expect(result).toMatchObject({ ok: false, code: 'egress_metadata_blocked' });
  });

  it('reports a name that does not resolve as egress_dns_failed', async () => {
    expect(await egress('').checkUrl('https://nowhere.example.test/')).toMatchObject({
      ok: false,
      code: 'egress_dns_failed',
      detail: 'could not resolve nowhere.example.test (ENOTFOUND)',
    });
    expect(await egress('').checkUrl('https://none.example.test/')).toMatchObject({
      code: 'egress_dns_failed',
    });
  });

  it('does not resolve a URL it refuses on its face', async () => {
    const dns = fakeDns(DNS);
    const result = await egress('', dns).checkUrl('http://user:pw@internal.example.test/');
    expect(result).toMatchObject({ ok: false, code: 'egress_userinfo_not_allowed' });
    expect(dns.asked).toEqual([]);
  });

  it('judges IP-literal URLs without DNS', async () => {
    const dns = fakeDns(DNS);
    expect((await egress('', dns).checkUrl('https://93.184.215.14/')).ok).toBe(true);
    expect(await egress('', dns).checkUrl('http://0x7f.1/')).toMatchObject({
      code: 'egress_noncanonical_ip',
    });
    expect(dns.asked).toEqual([]);
  });
});

describe('createEgress', () => {
  it('throws on an invalid allowlist entry, listing it', () => {
    expect(() => createEgress({ allow: '127.0.0.1/32,127.1' })).toThrow(/"127.1"/);
  });

  it('accepts the raw entries as an array', async () => {
    expect((await egress('').checkUrl('http://svc.test/')).ok).toBe(false);
    const e = createEgress({ allow: ['127.0.0.1/32'], lookup: fakeDns(DNS) });
    open.push(e);
    expect((await e.checkUrl('http://svc.test/')).ok).toBe(true);
  });
});

describe('fetch refuses before any network activity', () => {
  it.each([
    ['http://127.0.0.1:8080/', 'egress_address_blocked'],
    ['http://public.example.test:6379/', 'egress_port_not_allowed'],
    ['http://93.184.215.14:5432/', 'egress_port_not_allowed'],
    ['https://public.example.test:6000/', 'egress_bad_port'],
    ['http://2130706433/', 'egress_noncanonical_ip'],
    ['http://169.254.169.254/latest/meta-data', 'egress_metadata_blocked'],
    ['file:///etc/passwd', 'egress_scheme_not_allowed'],
    ['http://a:b@example.com/', 'egress_userinfo_not_allowed'],
  ])('rejects %s with an EgressError %s', async (url, code) => {
    const dns = fakeDns(DNS);
    const error = await egress('', dns)
      .fetch(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressError);
    expect((error as EgressError).code).toBe(code);
    expect(dns.asked).toEqual([]);
  });

  it('checks the URL of a Request object too', async () => {
    const error = await egress('')
      .fetch(new Request('http://10.0.0.1/'))
      .catch((e: unknown) => e);
    expect((error as EgressError).code).toBe('egress_address_blocked');
  });
});
