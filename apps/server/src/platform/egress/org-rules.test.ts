import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeOrgAddress, judgeOrgPort, judgeOrgTarget, targetOf } from './org-match.ts';
import type { OrgEgressRules, OrgEgressRulesInput } from './org-rules.ts';
import {
  DENY_ALL_ORG_RULES,
  EMPTY_ORG_RULES,
  formatOrgEgressRules,
  parseOrgEgressRules,
  parseOrgRuleEntry,
} from './org-rules.ts';

function rules(input: OrgEgressRulesInput): OrgEgressRules {
  const r = parseOrgEgressRules(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rules;
}

const name = (n: string) => ({ kind: 'name' as const, name: n });
const ip = (a: string) => ({ kind: 'ip' as const, address: a });

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const hostname = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.'));

describe('parseOrgEgressRules', () => {
  it('canonicalizes entries: lower case, IDNA ASCII, bare addresses as /32, wildcards kept', () => {
    const r = rules({
      allow: ['*.Example.COM', 'Bücher.example', '10.1.0.0/16', '192.0.2.7', 'fd00::/8'],
      deny: ['LEGACY.example.com'],
      deniedPorts: [8080, 25],
    });
    expect(formatOrgEgressRules(r)).toEqual({
      allow: ['*.example.com', 'xn--bcher-kva.example', '10.1.0.0/16', '192.0.2.7/32', 'fd00::/8'],
      deny: ['legacy.example.com'],
      deniedPorts: [25, 8080],
    });
  });

  it('lists every bad entry at its JSON pointer, so one 422 shows all of them', () => {
    const r = parseOrgEgressRules({
      allow: ['ok.example', '10.0.0.0/33', 'not a host'],
      deny: ['10.1.2.3/8', ''],
      deniedPorts: [0, 25, 25, 70000],
    });
    expect(r.ok).toBe(false);
    const pointers = r.ok ? [] : r.errors.map((e) => e.pointer);
    expect(pointers).toEqual([
      '/allow/1',
      '/allow/2',
      '/deny/0',
      '/deny/1',
      '/deniedPorts/0',
      '/deniedPorts/2',
      '/deniedPorts/3',
    ]);
    const detail = r.ok ? '' : r.errors.find((e) => e.pointer === '/deny/0')?.detail;
    expect(detail).toMatch(/did you mean 10\.0\.0\.0\/8/);
  });

  it('refuses a repeated entry, also when spelled differently', () => {
    const r = parseOrgEgressRules({ deny: ['a.example', 'A.Example.'] });
    expect(r.ok ? [] : r.errors).toEqual([{ pointer: '/deny/1', detail: 'repeats /deny/0 (a.example)' }]);
  });

  it('parses its own canonical form back to the same entry (round trip)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostname,
          hostname.map((h) => `*.${h}`),
          fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => {
            const n = a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
            const masked = bits === 0 ? 0 : (n & (0xffffffff << (32 - bits))) >>> 0;
            return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${bits}`;
          }),
        ),
        (raw) => {
          const first = parseOrgRuleEntry(raw);
          expect(typeof first).not.toBe('string');
          if (typeof first === 'string') return;
          const again = parseOrgRuleEntry(first.entry);
          expect(typeof again === 'string' ? again : again.entry).toBe(first.entry);
        },
      ),
    );
  });
});

describe('judging a destination against org rules', () => {
  it('admits everything when the org has no rules (the platform policy still applies elsewhere)', () => {
    fc.assert(
      fc.property(ipv4, hostname, fc.integer({ min: 1, max: 65535 }), (a, h, port) => {
        expect(judgeOrgTarget(EMPTY_ORG_RULES, ip(a), port).ok).toBe(true);
        expect(judgeOrgTarget(EMPTY_ORG_RULES, name(h), port).ok).toBe(true);
        expect(judgeOrgAddress(EMPTY_ORG_RULES, a, h).ok).toBe(true);
      }),
    );
  });

  it('lets the denylist win over the allowlist, for names and for addresses', () => {
    fc.assert(
      fc.property(ipv4, hostname, (a, h) => {
        const r = rules({ allow: [h, `${a}/32`, '0.0.0.0/0'], deny: [h, `${a}/32`] });
        const byName = judgeOrgTarget(r, name(h), 443);
        expect(byName).toMatchObject({
          ok: false,
          code: 'egress_denied_by_org_policy',
          rule: `denylist:${h}`,
        });
        const byAddress = judgeOrgAddress(r, a, 'other.example');
        expect(byAddress).toMatchObject({ ok: false, rule: `denylist:${a}/32` });
      }),
    );
  });

  it('refuses a name that resolves into a denied block, naming the entry in the detail', () => {
    const r = rules({ deny: ['10.1.0.0/16'] });
    expect(judgeOrgTarget(r, name('db.internal'), 443).ok).toBe(true);
    const v = judgeOrgAddress(r, '10.1.2.3', 'db.internal');
    expect(v).toMatchObject({ ok: false, rule: 'denylist:10.1.0.0/16' });
    expect(!v.ok && v.detail).toBe(
      'db.internal resolves to 10.1.2.3, which is in denylist entry 10.1.0.0/16 of the org egress policy',
    );
  });

  it('judges an IPv6 address that embeds an IPv4 one by the IPv4 address inside', () => {
    const r = rules({ deny: ['10.1.0.0/16'] });
    expect(judgeOrgAddress(r, '::ffff:10.1.2.3').ok).toBe(false);
    expect(judgeOrgAddress(r, '64:ff9b::a01:203').ok).toBe(false);
  });

  it('with a non-empty allowlist, admits only what matches it', () => {
    fc.assert(
      fc.property(hostname, hostname, ipv4, (allowed, other, a) => {
        fc.pre(allowed !== other && !other.endsWith(`.${allowed}`));
        const r = rules({ allow: [`*.${allowed}`, allowed] });
        expect(judgeOrgTarget(r, name(allowed), 443)).toEqual({ ok: true, rule: `allowlist:${allowed}` });
        expect(judgeOrgTarget(r, name(`api.${allowed}`), 443)).toEqual({
          ok: true,
          rule: `allowlist:*.${allowed}`,
        });
        expect(judgeOrgTarget(r, name(other), 443)).toMatchObject({ ok: false, rule: 'allowlist' });
        expect(judgeOrgTarget(r, ip(a), 443)).toMatchObject({ ok: false, rule: 'allowlist' });
      }),
    );
  });

  it('a wildcard matches subdomains only, not the apex or a look-alike', () => {
    const r = rules({ allow: ['*.example.com'] });
    expect(judgeOrgTarget(r, name('a.b.example.com'), 443).ok).toBe(true);
    expect(judgeOrgTarget(r, name('example.com'), 443).ok).toBe(false);
    expect(judgeOrgTarget(r, name('badexample.com'), 443).ok).toBe(false);
  });

  it('an allowlisted block admits a name only once its addresses are known to lie in it', () => {
    const r = rules({ allow: ['10.20.0.0/16'] });
    expect(judgeOrgTarget(r, name('svc.internal'), 443)).toEqual({ ok: true, rule: undefined });
    expect(judgeOrgAddress(r, '10.20.1.1', 'svc.internal')).toEqual({
      ok: true,
      rule: 'allowlist:10.20.0.0/16',
    });
    expect(judgeOrgAddress(r, '10.21.1.1', 'svc.internal')).toMatchObject({ ok: false, rule: 'allowlist' });
  });

  it('refuses a denied port on every destination, allowlisted or not', () => {
    fc.assert(
      fc.property(hostname, fc.integer({ min: 1, max: 65535 }), (h, port) => {
        const r = rules({ allow: [h], deniedPorts: [port] });
        const v = judgeOrgTarget(r, name(h), port);
        expect(v).toMatchObject({ ok: false, rule: `denied_port:${port}` });
        expect(!v.ok && v.detail).toBe(`port ${port} is denied by the org egress policy`);
        expect(judgeOrgPort(r, port === 65535 ? 1 : port + 1).ok).toBe(true);
      }),
    );
  });

  it('reads the effective port of a URL, default ports included', () => {
    expect(targetOf(new URL('https://a.example/x')).port).toBe(443);
    expect(targetOf(new URL('http://a.example/x')).port).toBe(80);
    expect(targetOf(new URL('http://[::1]:8080/')).host).toEqual(ip('::1'));
  });

  it('the deny-all rules refuse every address (what an org gets when its stored rules do not parse)', () => {
    fc.assert(
      fc.property(ipv4, (a) => {
        expect(judgeOrgAddress(DENY_ALL_ORG_RULES, a, 'x.example').ok).toBe(false);
      }),
    );
    expect(judgeOrgAddress(DENY_ALL_ORG_RULES, '2001:4860::1').ok).toBe(false);
  });
});
