import { describe, expect, it } from 'vitest';
import { judgeOrgAddress, judgeOrgTarget, targetOf } from './org-match.ts';
import type { OrgEgressRules, OrgEgressRulesInput } from './org-rules.ts';
import {
  DENY_ALL_ORG_RULES,
  EMPTY_ORG_RULES,
  formatOrgEgressRules,
  hasOrgRules,
  parseOrgEgressRules,
} from './org-rules.ts';

function rules(input: OrgEgressRulesInput): OrgEgressRules {
  const r = parseOrgEgressRules(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rules;
}

const name = (n: string) => ({ kind: 'name' as const, name: n });

describe('org egress rules at their edges', () => {
  it('has no rules when none were set, and the deny-all rules deny every IPv4 and IPv6 address only', () => {
    expect(EMPTY_ORG_RULES).toEqual(rules({}));
    expect(hasOrgRules(EMPTY_ORG_RULES)).toBe(false);
    expect(formatOrgEgressRules(DENY_ALL_ORG_RULES)).toEqual({
      allow: [],
      deny: ['0.0.0.0/0', '::/0'],
      deniedPorts: [],
    });
    expect(hasOrgRules(DENY_ALL_ORG_RULES)).toBe(true);
  });

  it.each([[{ allow: ['a.example'] }], [{ deny: ['a.example'] }], [{ deniedPorts: [25] }]])(
    'counts %j as rules of their own',
    (input) => {
      expect(hasOrgRules(rules(input))).toBe(true);
    },
  );

  it('trims an entry before reading it', () => {
    expect(formatOrgEgressRules(rules({ allow: ['  a.example  '] })).allow).toEqual(['a.example']);
  });

  it('says what is wrong with each bad entry and port', () => {
    const r = parseOrgEgressRules({ deny: ['', '   ', 'FD00::/129'], deniedPorts: [70000, 25, 25] });
    expect(r.ok ? [] : r.errors).toEqual([
      { pointer: '/deny/0', detail: 'must not be empty' },
      { pointer: '/deny/1', detail: 'must not be empty' },
      { pointer: '/deny/2', detail: '"fd00::/129" has an invalid prefix length (use /0 to /128)' },
      { pointer: '/deniedPorts/0', detail: 'must be a port number from 1 to 65535' },
      { pointer: '/deniedPorts/2', detail: 'repeats port 25' },
    ]);
  });
});

describe('judging names and addresses against org rules, at their edges', () => {
  it('reads a URL as a name or an address, with the port it connects to', () => {
    expect(targetOf(new URL('https://api.example/'))).toEqual({ host: name('api.example'), port: 443 });
    expect(targetOf(new URL('http://192.0.2.1:8080/'))).toEqual({
      host: { kind: 'ip', address: '192.0.2.1' },
      port: 8080,
    });
  });

  it('matches a name written with a trailing dot', () => {
    expect(judgeOrgTarget(rules({ allow: ['a.example'] }), name('a.example.'), 443)).toEqual({
      ok: true,
      rule: 'allowlist:a.example',
    });
  });

  it('never compares a block with a name, whatever the name ends in', () => {
    const r = rules({ deny: ['10.0.0.0/8'] });
    expect(judgeOrgTarget(r, name('api.undefined'), 443)).toEqual({ ok: true, rule: undefined });
  });

  it('says which denylist entry a name matches, and that a name is not on the allowlist', () => {
    const denied = judgeOrgTarget(rules({ deny: ['*.example.com'] }), name('a.example.com'), 443);
    expect(denied.ok ? '' : denied.detail).toBe(
      'a.example.com matches denylist entry *.example.com of the org egress policy',
    );
    const unlisted = judgeOrgTarget(rules({ allow: ['b.example'] }), name('a.example'), 443);
    expect(unlisted.ok ? '' : unlisted.detail).toBe(
      'a.example is not on the allowlist of the org egress policy',
    );
    const address = judgeOrgAddress(rules({ allow: ['b.example'] }), '192.0.2.1', 'a.example');
    expect(address.ok ? '' : address.detail).toBe(
      'a.example resolves to 192.0.2.1, which is not on the allowlist of the org egress policy',
    );
  });

  it('lets a name through to resolution when the allowlist holds a block besides names', () => {
    const r = rules({ allow: ['b.example', '10.0.0.0/8'] });
    expect(judgeOrgTarget(r, name('a.example'), 443)).toEqual({ ok: true, rule: undefined });
  });

  it('admits every address an allowlisted name resolves to, even outside the allowlisted blocks', () => {
    const r = rules({ allow: ['svc.example', '10.0.0.0/8'] });
    expect(judgeOrgAddress(r, '192.0.2.1', 'svc.example')).toEqual({
      ok: true,
      rule: 'allowlist:svc.example',
    });
    expect(judgeOrgAddress(r, '192.0.2.1', 'other.example').ok).toBe(false);
  });
});
