import { describe, expect, it } from 'vitest';
import { EgressError, type EgressErrorCode, fail, findEgressError, refusalOf, ruleOf } from './errors.ts';

describe('egress failures', () => {
  it("puts each refusal under the policy behind it: the org's rules, the port list, or the platform", () => {
    expect(refusalOf('egress_denied_by_org_policy')).toBe('org_policy');
    expect(refusalOf('egress_port_not_allowed')).toBe('port');
    expect(refusalOf('egress_bad_port')).toBe('port');
    const platform: EgressErrorCode[] = [
      'egress_invalid_url',
      'egress_scheme_not_allowed',
      'egress_userinfo_not_allowed',
      'egress_noncanonical_ip',
      'egress_address_blocked',
      'egress_metadata_blocked',
      'egress_dns_failed',
      'egress_redirect_blocked',
      'egress_rate_limited',
    ];
    for (const code of platform) expect(refusalOf(code), code).toBe('platform');
  });

  it('labels a refusal by its org rule, or by the platform code when no org rule refused', () => {
    expect(ruleOf(fail('egress_address_blocked', 'x'))).toBe('global:egress_address_blocked');
    expect(ruleOf(fail('egress_denied_by_org_policy', 'x', 'denylist:10.0.0.0/8'))).toBe(
      'denylist:10.0.0.0/8',
    );
  });

  it('throws as an EgressError that carries code, detail, rule and retry time, with the code in its message', () => {
    const e = EgressError.from({
      ok: false,
      code: 'egress_rate_limited',
      detail: 'too many',
      rule: 'rate_limit',
      retryAfterSeconds: 7,
    });
    expect(e).toMatchObject({
      name: 'EgressError',
      message: 'egress_rate_limited: too many',
      code: 'egress_rate_limited',
      detail: 'too many',
      rule: 'rate_limit',
      retryAfterSeconds: 7,
    });
  });
});

describe('findEgressError', () => {
  const refusal = new EgressError('egress_address_blocked', '10.0.0.1 is private');
  const wrap = (e: unknown, times: number): unknown =>
    times === 0 ? e : wrap(new TypeError('fetch failed', { cause: e }), times - 1);

  it('finds the refusal itself and one fetch wrapped in its cause chain', () => {
    expect(findEgressError(refusal)).toBe(refusal);
    expect(findEgressError(wrap(refusal, 1))).toBe(refusal);
  });

  it('looks 8 errors deep and no deeper, so a cause chain that loops cannot hang it', () => {
    expect(findEgressError(wrap(refusal, 7))).toBe(refusal);
    expect(findEgressError(wrap(refusal, 8))).toBeUndefined();
    const loop = new Error('a');
    (loop as { cause?: unknown }).cause = loop;
    expect(findEgressError(loop)).toBeUndefined();
  });

  it.each([
    ['an error without a refusal', new Error('boom')],
    ['a cause that is null', new Error('x', { cause: null })],
    ['a cause that is a string', new Error('x', { cause: 'egress_address_blocked' })],
    ['no error at all', undefined],
  ])('finds nothing in %s', (_what, e) => {
    expect(findEgressError(e)).toBeUndefined();
  });
});
