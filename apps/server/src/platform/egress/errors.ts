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
  | 'egress_dns_failed'
  | 'egress_redirect_blocked';

export interface EgressFailure {
  readonly ok: false;
  readonly code: EgressErrorCode;
  readonly detail: string;
}

export type EgressResult<T> = ({ readonly ok: true } & T) | EgressFailure;

/** The configuration variable an operator edits to let outbound calls reach a private address or host. */
export const ALLOW_SETTING = 'SPRINTCONNECT_EGRESS_ALLOW';

export function fail(code: EgressErrorCode, detail: string): EgressFailure {
  return { ok: false, code, detail };
}

export class EgressError extends Error {
  readonly code: EgressErrorCode;
  readonly detail: string;

  constructor(code: EgressErrorCode, detail: string, options?: ErrorOptions) {
    super(`${code}: ${detail}`, options);
    this.name = 'EgressError';
    this.code = code;
    this.detail = detail;
  }

  static from(failure: EgressFailure): EgressError {
    return new EgressError(failure.code, failure.detail);
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
