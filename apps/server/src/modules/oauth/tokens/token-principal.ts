import type { JWTPayload } from 'jose';
import { isUuid } from '../../../kernel/index.ts';
import type { Principal } from '../../identity/index.ts';
import { TokenFailure } from './token-failure.ts';
import type { OwnIssuer, TrustedIssuer } from './verify-access-token.ts';

/** OpenID Connect scopes say what the client may learn about the user, not what it may do in the API. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'offline_access', 'profile', 'email']);

/**
 * Text a signed claim may carry into the principal (attack of issue 8's fixes, D3): a trusted IdP signs what
 * it is given, so `sub`, `name`, `email` and the client id are caller text like any request field. NUL and lone
 * surrogates cannot be stored by Postgres (a 500 where the principal reached it), control characters have no
 * place in an identifier or a name, and the length is bounded (OIDC Core §2: `sub` at most 255 ASCII characters).
 */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
export const CLAIM_LIMITS = { sub: 255, client_id: 255, azp: 255, cid: 255, name: 256, email: 320 } as const;

/** A claim's text; undefined when absent or empty (as before); anything else is a malformed token. */
function claimText(claims: JWTPayload, name: keyof typeof CLAIM_LIMITS): string | undefined {
  const v = claims[name];
  if (v === undefined || v === '') return undefined;
  const max = CLAIM_LIMITS[name];
  if (typeof v !== 'string' || v.length > max || !v.isWellFormed() || hasControlCharacter(v)) {
    throw new TokenFailure(
      'token_invalid',
      `The token claim ${name} must be text of at most ${max} characters without control characters or lone surrogates.`,
    );
  }
  return v;
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/;
const MAX_SCOPES = 100;

function scopesOf(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? raw.split(' ').filter((s) => s !== '') : raw;
  if (
    !Array.isArray(list) ||
    list.length > MAX_SCOPES ||
    !list.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))
  ) {
    throw new TokenFailure(
      'token_invalid',
      `The token scope must be at most ${MAX_SCOPES} scope tokens of printable ASCII (RFC 6749 §3.3).`,
    );
  }
  return (list as string[]).filter((s) => !OIDC_SCOPES.has(s));
}

/** OIDC Core §2: seconds since the epoch. A value that is no time at all is a malformed token, not a 500. */
function authTimeOf(v: unknown): Date | undefined {
  if (v === undefined) return undefined;
  const at = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? new Date(v * 1000) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new TokenFailure('token_invalid', 'The token auth_time is not a time.');
  }
  return at;
}

/**
 * The key a token is bound to (RFC 9449 §6.1 `cnf.jkt`, a base64url SHA-256 thumbprint), or undefined for an
 * unbound token. A `cnf` of another shape, or naming a confirmation method we cannot check (an mTLS
 * certificate, RFC 8705), is refused: taking such a token as a bearer token would drop its binding.
 */
export function confirmationKey(claims: JWTPayload): string | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  const fail = () =>
    new TokenFailure(
      'token_invalid',
      'The token cnf must be an object with a jkt thumbprint (RFC 9449 §6.1).',
    );
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) throw fail();
  const { jkt, ...other } = cnf as Record<string, unknown>;
  if (Object.keys(other).length > 0 || typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt))
    throw fail();
  return jkt;
}

/**
 * The one principal a verified access token becomes. Our own tokens carry `org_id` (added when issued); a user
 * token's `sub` is the user id, a client_credentials token's `sub` is its `client_id`. A token from an org's
 * trusted IdP belongs to that org. Roles and permissions are attached afterwards from the role assignments.
 * Every claim that goes into it is checked first: a correctly signed token whose claims have the wrong shape is
 * a malformed token (issue 8 point 2), never a 500 where a claim reaches Postgres.
 */
export function principalFromClaims(
  claims: JWTPayload,
  issuer: OwnIssuer | TrustedIssuer,
  authMethod: 'bearer_jwt' | 'dpop_jwt',
): Principal {
  const sub = claimText(claims, 'sub');
  if (sub === undefined) throw new TokenFailure('token_invalid', 'The token has no sub.');
  const clientId = claimText(claims, 'client_id') ?? claimText(claims, 'azp') ?? claimText(claims, 'cid');
  const orgClaim = claims.org_id;
  const orgId =
    issuer.kind === 'own'
      ? typeof orgClaim === 'string' && orgClaim !== ''
        ? orgClaim
        : undefined
      : issuer.orgId;
  if (orgId === undefined) throw new TokenFailure('token_invalid', 'The token has no org_id.');
  // An org id that is not a UUID would otherwise reach Postgres as a tenant and fail there as a 500.
  if (!isUuid(orgId)) throw new TokenFailure('token_invalid', 'The token org_id is not a UUID.');
  const isClient = clientId !== undefined && sub === clientId;
  const authTime = authTimeOf(claims.auth_time);
  const name = claimText(claims, 'name');
  const email = claimText(claims, 'email');
  return {
    kind: isClient ? 'client' : 'user',
    id: sub,
    orgId,
    name: name ?? sub,
    ...(email === undefined ? {} : { email }),
    scopes: scopesOf(claims),
    roles: [],
    authMethod,
    ...(authTime === undefined ? {} : { authTime }),
  };
}
