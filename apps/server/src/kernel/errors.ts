/**
 * Errors are data: every failure the API can report has a stable code from this closed union, a title and an
 * HTTP status. The HTTP adapter renders them as RFC 9457 problem details; `docs/errors.md` is kept in sync by a
 * test. Adding a code here without a status fails the typecheck (the catalogue is a total Record).
 */
export type ErrorCode =
  | 'unauthenticated'
  | 'api_key_invalid'
  | 'api_key_expired'
  | 'token_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_algorithm_not_allowed'
  | 'token_key_unknown'
  | 'token_key_header_rejected'
  | 'token_crit_unsupported'
  | 'token_issuer_untrusted'
  | 'token_audience_mismatch'
  | 'token_type_invalid'
  | 'token_revoked'
  | 'token_issuer_ambiguous'
  | 'token_verification_unavailable'
  | 'dpop_invalid'
  | 'dpop_replay'
  | 'dpop_key_mismatch'
  | 'dpop_required'
  | 'session_expired'
  | 'session_invalid'
  | 'invalid_credentials'
  | 'step_up_required'
  | 'csrf_rejected'
  | 'sso_not_configured'
  | 'sso_state_invalid'
  | 'sso_denied'
  | 'sso_provider_unavailable'
  | 'sso_discovery_failed'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'malformed_json'
  | 'malformed_url'
  | 'uri_too_long'
  | 'malformed_request'
  | 'request_timeout'
  | 'headers_too_large'
  | 'conflict'
  | 'server_name_taken'
  | 'url_not_allowed'
  | 'port_not_allowed'
  | 'egress_denied_by_org_policy'
  | 'discovery_in_progress'
  | 'capability_version_not_found'
  | 'job_not_found'
  | 'server_not_found'
  | 'api_key_not_found'
  | 'cron_job_not_found'
  | 'role_not_found'
  | 'role_name_taken'
  | 'role_built_in'
  | 'role_in_use'
  | 'role_inheritance_invalid'
  | 'user_not_found'
  | 'trust_key_not_found'
  | 'trust_key_private'
  | 'trust_key_alg_not_allowed'
  | 'trust_key_invalid'
  | 'trust_key_kid_taken'
  | 'manifest_malformed'
  | 'manifest_alg_not_allowed'
  | 'manifest_header_not_allowed'
  | 'manifest_key_untrusted'
  | 'manifest_issuer_mismatch'
  | 'manifest_signature_invalid'
  | 'manifest_invalid'
  | 'manifest_server_mismatch'
  | 'manifest_required'
  | 'manifest_not_found'
  | 'manifest_rollback_unavailable'
  | 'policy_not_found'
  | 'policy_name_taken'
  | 'policy_invalid'
  | 'policy_version_not_found'
  | 'last_owner'
  // api-keys, rbac and policy dry runs (issue 10 points 2 and 4, ADR 0037)
  | 'last_administrator'
  | 'capability_not_found'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'quota_not_found'
  | 'quota_busy'
  | 'budget_exhausted'
  | 'database_unavailable'
  | 'shutting_down'
  | 'idempotency_key_invalid'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_flight'
  | 'internal';

export interface ErrorInfo {
  readonly status: number;
  readonly title: string;
}

export const ERROR_CATALOG: Readonly<Record<ErrorCode, ErrorInfo>> = Object.freeze({
  unauthenticated: { status: 401, title: 'Authentication required' },
  api_key_invalid: { status: 401, title: 'Invalid API key' },
  api_key_expired: { status: 401, title: 'API key expired' },
  token_invalid: { status: 401, title: 'Access token invalid' },
  token_expired: { status: 401, title: 'Access token expired' },
  token_not_yet_valid: { status: 401, title: 'Access token not yet valid' },
  token_algorithm_not_allowed: { status: 401, title: 'Token algorithm not allowed' },
  token_key_unknown: { status: 401, title: 'Token signing key unknown' },
  token_key_header_rejected: { status: 401, title: 'Token offers its own key' },
  token_crit_unsupported: { status: 401, title: 'Unsupported critical token header' },
  token_issuer_untrusted: { status: 401, title: 'Token issuer not trusted' },
  token_audience_mismatch: { status: 401, title: 'Token audience mismatch' },
  token_type_invalid: { status: 401, title: 'Wrong token type' },
  token_revoked: { status: 401, title: 'Access token revoked' },
  token_issuer_ambiguous: { status: 401, title: 'Token organization ambiguous' },
  token_verification_unavailable: { status: 503, title: 'Token keys unavailable' },
  dpop_invalid: { status: 401, title: 'DPoP proof invalid' },
  dpop_replay: { status: 401, title: 'DPoP proof replayed' },
  dpop_key_mismatch: { status: 401, title: 'DPoP key mismatch' },
  dpop_required: { status: 401, title: 'DPoP proof required' },
  session_expired: { status: 401, title: 'Session expired' },
  session_invalid: { status: 401, title: 'Session not valid' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  step_up_required: { status: 403, title: 'Recent sign-in required' },
  csrf_rejected: { status: 403, title: 'Cross-site request refused' },
  sso_not_configured: { status: 404, title: 'Single sign-on not configured' },
  sso_state_invalid: { status: 400, title: 'Sign-in attempt invalid or expired' },
  sso_denied: { status: 403, title: 'Sign-in refused' },
  sso_provider_unavailable: { status: 502, title: 'Identity provider unavailable' },
  sso_discovery_failed: { status: 422, title: 'Identity provider discovery failed' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Validation failed' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  malformed_url: { status: 400, title: 'Malformed URL' },
  uri_too_long: { status: 414, title: 'URI too long' },
  malformed_request: { status: 400, title: 'Malformed HTTP request' },
  request_timeout: { status: 408, title: 'Request timeout' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  conflict: { status: 409, title: 'Conflict' },
  server_name_taken: { status: 409, title: 'Server name already registered' },
  url_not_allowed: { status: 422, title: 'URL not allowed' },
  port_not_allowed: { status: 422, title: 'Port not allowed' },
  egress_denied_by_org_policy: { status: 422, title: 'Refused by the org egress policy' },
  discovery_in_progress: { status: 409, title: 'Discovery already in progress' },
  capability_version_not_found: { status: 404, title: 'Capability version not found' },
  job_not_found: { status: 404, title: 'Job not found' },
  server_not_found: { status: 404, title: 'Server not found' },
  api_key_not_found: { status: 404, title: 'API key not found' },
  cron_job_not_found: { status: 404, title: 'Scheduled job not found' },
  role_not_found: { status: 404, title: 'Role not found' },
  role_name_taken: { status: 409, title: 'Role name already used' },
  role_built_in: { status: 409, title: 'Built-in role cannot be changed' },
  role_in_use: { status: 409, title: 'Role in use' },
  role_inheritance_invalid: { status: 422, title: 'Invalid role inheritance' },
  user_not_found: { status: 404, title: 'User not found' },
  trust_key_not_found: { status: 404, title: 'Trust key not found' },
  trust_key_private: { status: 422, title: 'Private key refused' },
  trust_key_alg_not_allowed: { status: 422, title: 'Key algorithm not allowed' },
  trust_key_invalid: { status: 422, title: 'Key invalid' },
  trust_key_kid_taken: { status: 409, title: 'Key id already in the trust store' },
  manifest_malformed: { status: 422, title: 'Manifest not a compact JWS' },
  manifest_alg_not_allowed: { status: 422, title: 'Manifest algorithm not allowed' },
  manifest_header_not_allowed: { status: 422, title: 'Manifest offers its own key' },
  manifest_key_untrusted: { status: 422, title: 'Manifest signing key not trusted' },
  manifest_issuer_mismatch: { status: 422, title: 'Manifest issuer mismatch' },
  manifest_signature_invalid: { status: 422, title: 'Manifest signature invalid' },
  manifest_invalid: { status: 422, title: 'Manifest payload invalid' },
  manifest_server_mismatch: { status: 422, title: 'Manifest is for another server' },
  manifest_required: { status: 422, title: 'Signed manifest required' },
  manifest_not_found: { status: 404, title: 'Manifest not found' },
  manifest_rollback_unavailable: { status: 409, title: 'No earlier manifest to roll back to' },
  policy_not_found: { status: 404, title: 'Policy not found' },
  policy_name_taken: { status: 409, title: 'Policy name already used' },
  policy_invalid: { status: 422, title: 'Policy invalid' },
  policy_version_not_found: { status: 404, title: 'Policy version not found' },
  last_owner: { status: 409, title: 'Last owner' },
  // api-keys, rbac and policy dry runs (issue 10 points 2 and 4, ADR 0037)
  last_administrator: { status: 409, title: 'Last administrator' },
  capability_not_found: { status: 404, title: 'Capability not found' },
  rate_limited: { status: 429, title: 'Too many requests' },
  quota_exceeded: { status: 409, title: 'Quota exceeded' },
  quota_not_found: { status: 404, title: 'Quota not found' },
  quota_busy: { status: 429, title: 'Too many creates queued' },
  budget_exhausted: { status: 429, title: 'Monthly budget exhausted' },
  database_unavailable: { status: 503, title: 'Database unavailable' },
  shutting_down: { status: 503, title: 'Server shutting down' },
  idempotency_key_invalid: { status: 400, title: 'Invalid Idempotency-Key' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused for another request' },
  idempotency_key_in_flight: { status: 409, title: 'Request with this Idempotency-Key in progress' },
  internal: { status: 500, title: 'Internal error' },
});

/** One invalid field, addressed by JSON Pointer (RFC 6901) into the request. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
  /** Where the pointer points; `body` when omitted. */
  readonly location?: 'body' | 'query' | 'path' | 'header';
  /** Policy text problems (policy_invalid): the policy's name and the 1-based line and column in its text. */
  readonly policy?: string;
  readonly line?: number;
  readonly column?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Where the client can go next (RFC 9457 extension member), e.g. `login` to sign in again. */
  readonly links: Readonly<Record<string, string>> | undefined;
  /** Extension members of the problem (RFC 9457 §3.2), e.g. `quota` on quota_exceeded. */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      links?: Record<string, string>;
      extensions?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.errors = extra.errors;
    this.headers = extra.headers;
    this.links = extra.links;
    this.extensions = extra.extensions;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
