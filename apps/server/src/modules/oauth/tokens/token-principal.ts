import type { JWTPayload } from 'jose';
import { isUuid } from '../../../kernel/index.ts';
import type { Principal } from '../../identity/index.ts';
import { TokenFailure } from './token-failure.ts';
import type { OwnIssuer, TrustedIssuer } from './verify-access-token.ts';

/** OpenID Connect scopes say what the client may learn about the user, not what it may do in the API. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'offline_access', 'profile', 'email']);

function scopesOf(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  const list = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw : [];
  return list.filter((s): s is string => typeof s === 'string' && s !== '' && !OIDC_SCOPES.has(s));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

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
 * The one principal a verified access token becomes. Our own tokens carry `org_id` (added when issued); a user
 * token's `sub` is the user id, a client_credentials token's `sub` is its `client_id`. A token from an org's
 * trusted IdP belongs to that org. Roles and permissions are attached afterwards from the role assignments.
 */
export function principalFromClaims(
  claims: JWTPayload,
  issuer: OwnIssuer | TrustedIssuer,
  authMethod: 'bearer_jwt' | 'dpop_jwt',
): Principal {
  const sub = str(claims.sub);
  if (sub === undefined) throw new TokenFailure('token_invalid', 'The token has no sub.');
  const clientId = str(claims.client_id) ?? str(claims.azp) ?? str(claims.cid);
  const orgId = issuer.kind === 'own' ? str(claims.org_id) : issuer.orgId;
  if (orgId === undefined) throw new TokenFailure('token_invalid', 'The token has no org_id.');
  // A correctly signed token with a claim of the wrong shape is still a malformed token (issue 8 point 2): an
  // org id that is not a UUID would otherwise reach Postgres as a tenant and fail there as a 500.
  if (!isUuid(orgId)) throw new TokenFailure('token_invalid', 'The token org_id is not a UUID.');
  const isClient = clientId !== undefined && sub === clientId;
  const authTime = authTimeOf(claims.auth_time);
  return {
    kind: isClient ? 'client' : 'user',
    id: sub,
    orgId,
    name: str(claims.name) ?? sub,
    ...(str(claims.email) === undefined ? {} : { email: str(claims.email) }),
    scopes: scopesOf(claims),
    roles: [],
    authMethod,
    ...(authTime === undefined ? {} : { authTime }),
  };
}
