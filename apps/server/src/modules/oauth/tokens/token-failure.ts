import type { ErrorCode } from '../../../kernel/index.ts';

export type TokenFailureCode = Extract<ErrorCode, `token_${string}` | `dpop_${string}`>;

/**
 * Why an access token or a DPoP proof was refused. The pure verifiers throw this; the authenticator turns it
 * into the 401 problem with the `WWW-Authenticate` challenge of the scheme the client used (RFC 6750 §3,
 * RFC 9449 §7.1).
 */
export class TokenFailure extends Error {
  readonly code: TokenFailureCode;
  readonly detail: string;

  constructor(code: TokenFailureCode, detail: string, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
    this.name = 'TokenFailure';
    this.code = code;
    this.detail = detail;
  }
}

export const isDpopFailure = (code: TokenFailureCode): boolean =>
  code === 'dpop_invalid' || code === 'dpop_replay' || code === 'dpop_key_mismatch';
