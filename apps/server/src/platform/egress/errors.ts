/**
 * Egress failures are data: every refusal has a stable code from this closed union and a detail written for
 * the operator (what was refused and, when it can be allowed, which setting allows it). Pure checks return an
 * `EgressResult`; only `fetch`, which must keep the WHATWG signature, throws an `EgressError`.
 */
export type EgressErrorCode =
  | 'egress_invalid_url'
  | 'egress_scheme_not_allowed'
  | 'egress_userinfo_not_allowed'
  | 'egress_noncanonical_ip'
  | 'egress_address_blocked'
  | 'egress_metadata_blocked'
  | 'egress_port_not_allowed'
  | 'egress_bad_port'
  | 'egress_dns_failed'
  | 'egress_redirect_blocked'
  | 'egress_denied_by_org_policy'
  | 'egress_rate_limited';

/** Which policy refused a URL: the platform's addresses, its ports, or the org's own rules. */
export type UrlRefusal = 'platform' | 'port' | 'org_policy';

/**
 * One mapping from a refusal to the policy behind it, so the same refusal gets the same API code wherever a
 * tenant's URL is checked: server registration, trusted issuers (issue 8 fixes, M2).
 */
export function refusalOf(code: EgressErrorCode): UrlRefusal {
  if (code === 'egress_denied_by_org_policy') return 'org_policy';
  if (code === 'egress_port_not_allowed' || code === 'egress_bad_port') return 'port';
  return 'platform';
}

export interface EgressFailure {
  readonly ok: false;
  readonly code: EgressErrorCode;
  readonly detail: string;
  /**
   * The rule that refused, for org-scoped egress: `denylist:10.1.0.0/16`, `allowlist`, `denied_port:25`,
   * `rate_limit`, or `global:<code>` for the platform policy. Bounded by the org's rule count (a metric label).
   */
  readonly rule?: string;
  /** egress_rate_limited only: when the org's window resets. */
  readonly retryAfterSeconds?: number;
}

export type EgressResult<T> = ({ readonly ok: true } & T) | EgressFailure;

/** The configuration variable an operator edits to let outbound calls reach a private address or host. */
export const ALLOW_SETTING = 'SPRINTCONNECT_EGRESS_ALLOW';

/** The configuration variable that lists the ports outbound calls may use (ADR 0027). */
export const PORTS_SETTING = 'SPRINTCONNECT_EGRESS_PORTS';

export function fail(code: EgressErrorCode, detail: string, rule?: string): EgressFailure {
  return rule === undefined ? { ok: false, code, detail } : { ok: false, code, detail, rule };
}

/** The rule label of a refusal: the org rule that refused, or the platform policy's code. */
export function ruleOf(failure: Pick<EgressFailure, 'code' | 'rule'>): string {
  return failure.rule ?? `global:${failure.code}`;
}

export class EgressError extends Error {
  readonly code: EgressErrorCode;
  readonly detail: string;
  readonly rule: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: EgressErrorCode,
    detail: string,
    options?: ErrorOptions & { rule?: string | undefined; retryAfterSeconds?: number | undefined },
  ) {
    super(`${code}: ${detail}`, options);
    this.name = 'EgressError';
    this.code = code;
    this.detail = detail;
    this.rule = options?.rule;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  static from(failure: EgressFailure): EgressError {
    return new EgressError(failure.code, failure.detail, {
      rule: failure.rule,
      retryAfterSeconds: failure.retryAfterSeconds,
    });
  }
}

/**
 * Finds an EgressError in an error's `cause` chain: fetch wraps connect-time refusals in TypeError('fetch
 * failed').
 */
export function findEgressError(err: unknown): EgressError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e !== null && typeof e === 'object'; depth++) {
    if (e instanceof EgressError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
