import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import type { Clock } from '../../../kernel/index.ts';
import { constantTimeEqual, open, seal } from '../../../platform/crypto/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { verifyDpopProof } from '../tokens/dpop-proof.ts';
import { createProofKeyCache } from '../tokens/proof-keys.ts';
import { findModel } from './oidc-models.repo.ts';
import { holdResponse, replayRequest } from './raw-http.ts';
import {
  claimExchange,
  completeExchange,
  dropExchange,
  findExchange,
  type RefreshExchangeRow,
} from './refresh-exchanges.repo.ts';
import { clientIdOf } from './token-request.ts';

export interface RefreshReuse {
  readonly clientId: string;
  readonly grantId: string | null;
  readonly orgId: string | undefined;
  readonly subject: string | undefined;
  readonly afterMs: number;
}

export interface RefreshGraceDeps {
  readonly db: Db;
  readonly storageKey: Buffer;
  readonly clock: Clock;
  /** How long a second request with the same refresh token (same client) gets the same new pair. */
  readonly graceMs: number;
  /** The token endpoint URL, the `htu` of DPoP proofs sent to it. */
  readonly tokenEndpoint: string;
  recordJti(key: string, expiresAt: Date): Promise<boolean>;
  /** Revoke the grant's tokens and raise the security event. */
  onReuse(reuse: RefreshReuse): Promise<void>;
}

type Forward = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

interface Stored {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const KEPT_HEADERS = ['content-type', 'cache-control', 'pragma', 'access-control-allow-origin', 'vary'];
/** A claim older than this without an answer belongs to a request that died; the next one may take over. */
const STALE_CLAIM_MS = 10_000;
const RETENTION_MS = 15 * 24 * 60 * 60 * 1000; // refresh tokens live 14 days

async function proofThumbprint(proof: string | undefined): Promise<string | null> {
  if (proof === undefined) return null;
  try {
    const jwk = decodeProtectedHeader(proof).jwk as JWK | undefined;
    return jwk === undefined ? null : await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    return null;
  }
}

function send(res: ServerResponse, s: Stored): void {
  res.statusCode = s.status;
  for (const [k, v] of Object.entries(s.headers)) res.setHeader(k, v);
  res.end(s.body);
}

/**
 * Refresh-token rotation with a grace window (ADR 0009). oidc-provider rotates refresh tokens and treats any
 * second use as theft. Two requests racing with one token (two tabs, a retry after a lost response) would then
 * sign the user out, so the first request for a token claims it in Postgres, and the same client repeating it
 * within `graceMs` receives the same new pair. A use after the window revokes the whole grant and is reported.
 */
export function createRefreshGrace(deps: RefreshGraceDeps) {
  const { db, clock } = deps;
  const proofKeys = createProofKeyCache();
  const aad = (h: Buffer) => `refresh-exchange:${h.toString('base64url')}`;
  const unseal = (h: Buffer, row: RefreshExchangeRow): Stored =>
    JSON.parse(open(deps.storageKey, row.response!, aad(h)).toString('utf8')) as Stored;

  async function lead(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    tokenHash: Buffer,
    forward: Forward,
  ) {
    const held = holdResponse(res, async (status, out) => {
      if (status !== 200) {
        await dropExchange(db, tokenHash);
        return;
      }
      const stored: Stored = { status, headers: {}, body: out.toString('utf8') };
      for (const h of KEPT_HEADERS) {
        const v = res.getHeader(h);
        if (v !== undefined) stored.headers[h] = String(v);
      }
      const now = clock.now();
      const old = await findModel(db, 'RefreshToken', tokenHash, now);
      await completeExchange(db, tokenHash, {
        response: seal(deps.storageKey, Buffer.from(JSON.stringify(stored), 'utf8'), aad(tokenHash)),
        grantId: typeof old?.payload.grantId === 'string' ? old.payload.grantId : null,
        now,
        expiresAt: new Date(now.getTime() + RETENTION_MS),
      });
    });
    await forward(replayRequest(req, body), res);
    await held;
  }

  async function reuse(res: ServerResponse, tokenHash: Buffer, row: RefreshExchangeRow, clientId: string) {
    const now = clock.now();
    const old = await findModel(db, 'RefreshToken', tokenHash, now);
    const grantId = typeof old?.payload.grantId === 'string' ? old.payload.grantId : null;
    let claims: { org_id?: unknown; sub?: unknown } = {};
    try {
      claims = decodeJwt((JSON.parse(unseal(tokenHash, row).body) as { access_token: string }).access_token);
    } catch {
      // no readable token in the stored answer: report without org
    }
    await deps.onReuse({
      clientId,
      grantId,
      orgId: typeof claims.org_id === 'string' ? claims.org_id : undefined,
      subject: typeof claims.sub === 'string' ? claims.sub : undefined,
      afterMs: now.getTime() - row.completed_at!.getTime(),
    });
    send(res, {
      status: 400,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({
        error: 'invalid_grant',
        error_description: 'refresh token already used; every token of this grant has been revoked',
      }),
    });
  }

  return async function handleTokenRequest(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    forward: Forward,
  ): Promise<void> {
    const params = new URLSearchParams(body.toString('utf8'));
    const refreshToken = params.get('refresh_token');
    const clientId = clientIdOf(req.headers.authorization, params);
    if (
      params.get('grant_type') !== 'refresh_token' ||
      refreshToken === null ||
      params.getAll('refresh_token').length !== 1 ||
      clientId === undefined
    ) {
      return forward(replayRequest(req, body), res);
    }
    const tokenHash = sha256(refreshToken);
    const authHash = sha256(
      JSON.stringify([
        req.headers.authorization ?? '',
        params.get('client_id'),
        params.get('client_secret'),
        params.get('client_assertion'),
      ]),
    );
    const dpop = typeof req.headers.dpop === 'string' ? req.headers.dpop : undefined;
    // Checked once per request: the proof's jti is recorded, so a second check would call it a replay.
    let sameKey: Promise<boolean> | undefined;

    for (;;) {
      const now = clock.now();
      const row = await findExchange(db, tokenHash);
      if (row === undefined) {
        const claimed = await claimExchange(db, {
          tokenHash,
          clientId,
          authHash,
          jkt: await proofThumbprint(dpop),
          now,
          expiresAt: new Date(now.getTime() + RETENTION_MS),
        });
        if (claimed) return lead(req, res, body, tokenHash, forward);
        continue;
      }
      // Another client, other credentials or another DPoP key: oidc-provider refuses those before it looks
      // at rotation (client mismatch, invalid_client, failed jkt verification), so it answers.
      if (row.client_id !== clientId || !constantTimeEqual(row.client_auth_hash, authHash)) {
        return forward(replayRequest(req, body), res);
      }
      if (row.dpop_jkt !== null) sameKey ??= sameDpopKey(row.dpop_jkt, dpop, now);
      if (sameKey !== undefined && !(await sameKey)) {
        return forward(replayRequest(req, body), res);
      }
      if (row.completed_at === null) {
        if (now.getTime() - row.started_at.getTime() > STALE_CLAIM_MS) await dropExchange(db, tokenHash);
        else await sleep(25);
        continue;
      }
      if (now.getTime() - row.completed_at.getTime() <= deps.graceMs)
        return send(res, unseal(tokenHash, row));
      return reuse(res, tokenHash, row, clientId);
    }
  };

  async function sameDpopKey(jkt: string, proof: string | undefined, now: Date): Promise<boolean> {
    try {
      const p = await verifyDpopProof(proof, { method: 'POST', url: deps.tokenEndpoint, now }, proofKeys);
      if (p.jkt !== jkt) return false;
      const key = createHash('sha256').update(`${p.jkt}.${p.jti}`).digest('hex');
      return deps.recordJti(key, new Date((p.iat + 120) * 1000));
    } catch {
      return false;
    }
  }
}
