import type { JWTVerifyGetKey } from 'jose';
import type { Db } from '../../../platform/db/index.ts';
import type { Authenticator } from '../../identity/index.ts';
import { recordDpopJtis } from './dpop-replay.repo.ts';
import { createJtiBatcher } from './jti-batcher.ts';
import { jwtAuthenticator } from './jwt-authenticator.ts';
import { issuerOf, protectedResourceMetadataUrl, type Resources, resourcesOf } from './resources.ts';
import type { TrustedIssuers } from './trusted-issuers.ts';

/**
 * An access-token authenticator for one of our resources (RFC 8707): the REST API (`/v1`) or the MCP endpoint
 * (`/mcp`, issue 11 point 3). Our issuer's keys, the org-trusted IdPs, DPoP replay in Postgres. Each checks its
 * own audience, so a token for one resource is refused by the other.
 */
export function createAccessTokenAuthenticator(deps: {
  db: Db;
  publicUrl: string;
  /** Which resource's tokens it accepts (default the REST API). */
  resource?: keyof Resources | undefined;
  ownKeys: JWTVerifyGetKey;
  trusted: Pick<TrustedIssuers, 'resolve'>;
  /** Our authorization server's removed clients (OAuthServer.clientRemoved). */
  clientRemoved?: ((clientId: string) => Promise<boolean>) | undefined;
  /** Deactivated users (rbac), whose tokens are refused. */
  userDeactivated?: ((orgId: string, userId: string) => Promise<boolean>) | undefined;
}): Authenticator {
  const resource = resourcesOf(deps.publicUrl)[deps.resource ?? 'api'];
  const recordJti = createJtiBatcher((proofs) => recordDpopJtis(deps.db, proofs));
  return jwtAuthenticator({
    ownIssuer: issuerOf(deps.publicUrl),
    ownKeys: deps.ownKeys,
    trusted: deps.trusted,
    resource,
    challenge: {
      realm: 'sprintconnect',
      resourceMetadata: protectedResourceMetadataUrl(deps.publicUrl, resource),
    },
    recordJti,
    clientRemoved: deps.clientRemoved,
    userDeactivated: deps.userDeactivated,
  });
}
