import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client';

/**
 * What went wrong with a sign-in at the provider, in the three kinds a person can act on:
 * - `state`: the response does not belong to this attempt (state, nonce, PKCE, issuer, a used or expired code),
 *   so start again;
 * - `denied`: the provider (or the person) refused;
 * - `unavailable`: the provider could not be reached or failed; try again later or ask an admin.
 * Details name the failure, never a token or secret.
 */
export type OidcFailureKind = 'state' | 'denied' | 'unavailable';

const CHECK_CODES: ReadonlySet<string> = new Set([
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
]);

export function classifyOidcError(e: unknown): { kind: OidcFailureKind; detail: string } {
  if (e instanceof AuthorizationResponseError) {
    return { kind: 'denied', detail: providerSaid(e.error, e.error_description) };
  }
  if (e instanceof ResponseBodyError) {
    if (e.error === 'invalid_grant') {
      return { kind: 'state', detail: 'the provider no longer accepts this sign-in code (used or expired)' };
    }
    return {
      kind: 'unavailable',
      detail: `the token request failed with HTTP ${e.status}: ${providerSaid(e.error, e.error_description)}`,
    };
  }
  if (e instanceof ClientError && e.code !== undefined && CHECK_CODES.has(e.code)) {
    const cause = e.cause instanceof Error ? e.cause.message : e.message;
    return { kind: 'state', detail: `the provider's response did not match this sign-in attempt (${cause})` };
  }
  if (e instanceof ClientError)
    return { kind: 'unavailable', detail: `the provider's answer was not usable (${e.message})` };
  const name = e instanceof Error ? (findNamed(e) ?? e.message) : String(e);
  return { kind: 'unavailable', detail: `the provider could not be reached (${name})` };
}

function providerSaid(error: string, description: string | undefined): string {
  const d = description?.slice(0, 300);
  return d === undefined || d === '' ? error : `${error}: ${d}`;
}

/** fetch wraps the real reason (refused connection, egress policy) in TypeError('fetch failed').cause. */
function findNamed(e: Error): string | undefined {
  let cur: unknown = e.cause;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    const detail = (cur as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
    if (typeof code === 'string') return code;
    cur = cur.cause;
  }
  return undefined;
}
