import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import type { AuthAttempts } from '../../identity/index.ts';
import { consumeModel } from './oidc-models.repo.ts';
import { holdResponse, replayRequest } from './raw-http.ts';
import { presentedClient } from './token-request.ts';

type Forward = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface TokenEndpointDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** Failed client authentication per source and per client id, shared by all processes. */
  readonly attempts?: AuthAttempts | undefined;
  /** oidc-provider, for a request whose body was already read. */
  readonly forward: Forward;
  /** Refresh-token exchanges, with their grace window (refresh-grace.ts). */
  readonly refresh: (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    forward: Forward,
  ) => Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Runs `handle` as one client authentication attempt of its source (and client id, when it presents a secret). */
export type ClientAuthThrottle = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  source: string | undefined,
  handle: () => Promise<void>,
) => Promise<void>;

/**
 * Throttling (issue 8 point 7): a source or a confidential client id that used up its failed client
 * authentications (401 invalid_client) is answered 429 with Retry-After before any secret is compared. Shared
 * by every endpoint of the authorization server that authenticates a client (token, introspection,
 * revocation, pushed authorization requests): limited at /oidc/token only, the others were an unthrottled
 * oracle for the same secret (attack of issue 8's fixes, D2).
 */
export function createClientAuthThrottle(attempts: AuthAttempts | undefined): ClientAuthThrottle {
  return async (req, res, body, source, handle) => {
    const client = presentedClient(req.headers.authorization, new URLSearchParams(body.toString('utf8')));
    const attempt = await attempts?.begin({
      source,
      // Only a client that presents a credential can fail to authenticate; counting public client ids (the
      // CLI, the console) would let anyone lock every user of them out.
      client: client.withCredential ? client.clientId : undefined,
    });
    if (attempt !== undefined && !attempt.allowed) {
      res.statusCode = 429;
      res.setHeader('retry-after', String(attempt.retryAfterSeconds));
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(
        JSON.stringify({
          error: 'temporarily_unavailable',
          error_description: `too many failed client authentications; retry in ${attempt.retryAfterSeconds} s`,
        }),
      );
      return;
    }
    try {
      await handle();
    } finally {
      // Only a failed authentication (401) keeps its point; anything else was not a guess.
      if (attempt?.allowed && res.statusCode !== 401) await attempt.succeeded();
    }
  };
}

/**
 * What SprintConnect puts in front of oidc-provider's token endpoint:
 *
 * - throttling of failed client authentications (createClientAuthThrottle);
 * - a failed authorization_code redemption burns the code (issue 8 point 12): oidc-provider checks PKCE
 *   before it consumes a code, so a code survived a wrong code_verifier and could be redeemed afterwards with
 *   the right one, which is what PKCE exists to prevent (RFC 7636 §1, RFC 9700 §4.5). The answer is held
 *   until the code is consumed, so no retry can race the burn.
 */
export function createTokenEndpoint(deps: TokenEndpointDeps) {
  async function redeemCode(req: IncomingMessage, res: ServerResponse, body: Buffer, code: string) {
    const held = holdResponse(res, async (status) => {
      if (status !== 200) await consumeModel(deps.db, 'AuthorizationCode', sha256(code), deps.clock.now());
    });
    await deps.forward(replayRequest(req, body), res);
    await held;
  }

  const throttle = createClientAuthThrottle(deps.attempts);
  return async function tokenEndpoint(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    source: string | undefined,
  ): Promise<void> {
    await throttle(req, res, body, source, async () => {
      const params = new URLSearchParams(body.toString('utf8'));
      const code = params.get('grant_type') === 'authorization_code' ? params.get('code') : null;
      if (code !== null && params.getAll('code').length === 1) await redeemCode(req, res, body, code);
      else await deps.refresh(req, res, body, deps.forward);
    });
  };
}
