import type { JWTVerifyGetKey } from 'jose';
import type { Db } from '../../../platform/db/index.ts';
import type { Authenticator } from '../../identity/index.ts';
import { recordDpopJtis } from './dpop-replay.repo.ts';
import { createJtiBatcher } from './jti-batcher.ts';
import { jwtAuthenticator } from './jwt-authenticator.ts';
import { issuerOf, protectedResourceMetadataUrl, resourcesOf } from './resources.ts';
import type { TrustedIssuers } from './trusted-issuers.ts';

/** The REST API's access-token authenticator: our issuer's keys, the org-trusted IdPs, DPoP replay in Postgres. */
export function createAccessTokenAuthenticator(deps: {
  db: Db;
  publicUrl: string;
  ownKeys: JWTVerifyGetKey;
  trusted: Pick<TrustedIssuers, 'resolve'>;
  /** Our authorization server's removed clients (OAuthServer.clientRemoved). */
  clientRemoved?: ((clientId: string) => Promise<boolean>) | undefined;
}): Authenticator {
  const resources = resourcesOf(deps.publicUrl);
  const recordJti = createJtiBatcher((proofs) => recordDpopJtis(deps.db, proofs));
  return jwtAuthenticator({
    ownIssuer: issuerOf(deps.publicUrl),
    ownKeys: deps.ownKeys,
    trusted: deps.trusted,
    resource: resources.api,
    challenge: {
      realm: 'sprintconnect',
      resourceMetadata: protectedResourceMetadataUrl(deps.publicUrl, resources.api),
    },
    recordJti,
    clientRemoved: deps.clientRemoved,
  });
}
