import type { Authenticator, Principal } from '../src/modules/identity/index.ts';
import { bearerToken } from '../src/modules/identity/index.ts';

/**
 * Tests only: a stand-in for user and client sign-in, passed to compose() as an extra authenticator. The bearer
 * token `test-principal:<base64url JSON>` becomes that principal, so integration tests can act as a user with a
 * chosen sign-in time and token scopes while the real session and token authenticators are built elsewhere.
 * Roles and permissions are NOT taken from the token: the app resolves them from the role assignments.
 */
const PREFIX = 'test-principal:';

export interface TestPrincipalSpec {
  kind?: 'user' | 'client';
  orgId: string;
  id: string;
  name?: string;
  authMethod?: Principal['authMethod'];
  /** Defaults to now; null for "unknown". */
  authTime?: Date | null;
  scopes?: string[];
}

export function testPrincipalHeader(spec: TestPrincipalSpec): { authorization: string } {
  const body = {
    ...spec,
    authTime: spec.authTime === null ? null : (spec.authTime ?? new Date()).toISOString(),
  };
  return { authorization: `Bearer ${PREFIX}${Buffer.from(JSON.stringify(body)).toString('base64url')}` };
}

export const testPrincipalAuthenticator: Authenticator = async (req) => {
  const token = bearerToken(req);
  if (token === undefined || !token.startsWith(PREFIX)) return undefined;
  const s = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8')) as Omit<
    TestPrincipalSpec,
    'authTime'
  > & { authTime: string | null };
  return {
    kind: s.kind ?? 'user',
    id: s.id,
    orgId: s.orgId,
    name: s.name ?? s.id,
    scopes: s.scopes ?? [],
    roles: [],
    authMethod: s.authMethod ?? 'session',
    ...(s.authTime !== null && { authTime: new Date(s.authTime) }),
  };
};
