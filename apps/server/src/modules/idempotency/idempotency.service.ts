import type { Clock } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { Secrets } from '../tenancy/index.ts';
import { idempotencyKeyInFlight, idempotencyKeyReused } from './idempotency.errors.ts';
import * as repo from './idempotency.repo.ts';
import { answerHeaders, isStorable, requestFingerprint } from './idempotency-key.ts';

/** How long a key is remembered per org and principal (issue 8 point 19; Stripe keeps keys 24 h too). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim holds its key before a retry may take it over: longer than any request runs (the body limit
 * and statement timeouts bound them well under this); only a process that died mid-request leaves one behind.
 */
export const IDEMPOTENCY_CLAIM_LEASE_MS = 60_000;
/** The scheduled job's name: the pg-boss queue and `POST /api/cron/idempotency-key-purge`. */
export const IDEMPOTENCY_PURGE_JOB = 'idempotency-key-purge';

export interface IdempotentRequest {
  readonly orgId: string;
  /** `kind:id` of the caller: keys are scoped per org and principal. */
  readonly principal: string;
  readonly key: string;
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly body: unknown;
}

/** The right to run the request and store its answer under the key. */
export interface Claim {
  readonly id: repo.KeyId;
  readonly claimId: string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  /** The serialized body; undefined when there is none (204), or when it is not text (a stream). */
  readonly body: string | undefined;
  readonly streamed?: boolean;
}

export type Begun =
  | { readonly kind: 'proceed'; readonly claim: Claim }
  | {
      readonly kind: 'replay';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: string;
    };

export interface IdempotencyStore {
  /**
   * Before the route runs: claims the key, or answers with the stored response of the same request, or throws
   * 422 idempotency_key_reused (another request) or 409 idempotency_key_in_flight (the first still runs).
   */
  begin(req: IdempotentRequest): Promise<Begun>;
  /** After the route answered: stores the answer for replay, or forgets the claim when it is not one to keep. */
  finish(claim: Claim, answer: Answer): Promise<void>;
  /** Deletes expired keys of every org (the scheduled job). */
  purgeExpired(): Promise<{ deleted: number }>;
}

const PURPOSE = 'idempotent-response';
const PURGE_BATCH = 1000;

export function createIdempotencyStore(deps: {
  db: Db;
  secrets: Secrets;
  clock: Clock;
  fingerprintKey: Buffer;
}): IdempotencyStore {
  const { db, secrets, clock } = deps;

  return {
    async begin(req) {
      const id = { orgId: req.orgId, principal: req.principal, key: req.key };
      const fingerprint = requestFingerprint(deps.fingerprintKey, req);
      return withTenant(db, req.orgId, async (tx) => {
        const now = clock.now();
        const claim: repo.NewClaim = {
          ...id,
          fingerprint,
          method: req.method,
          path: req.url.split('?')[0] ?? req.url,
          claimId: uuidv7(),
          lockedUntil: new Date(now.getTime() + IDEMPOTENCY_CLAIM_LEASE_MS),
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
        };
        const proceed = { kind: 'proceed', claim: { id, claimId: claim.claimId } } as const;
        // The row may be deleted between the insert and the read (its claim got a 5xx): then insert again.
        for (let attempt = 0; attempt < 3; attempt++) {
          if (await repo.insertClaim(tx, claim)) return proceed;
          const row = await repo.findForUpdate(tx, id);
          if (row === undefined) continue;
          // Older than 24 h: the key is forgotten, whatever it was used for.
          if (row.expires_at.getTime() <= now.getTime()) {
            await repo.replaceWithClaim(tx, claim);
            return proceed;
          }
          if (!row.fingerprint.equals(fingerprint)) throw idempotencyKeyReused(row);
          if (row.state === 'done') {
            const stored = JSON.parse(await secrets.open(tx, req.orgId, PURPOSE, row.response!)) as {
              headers: Record<string, string>;
              body: string;
            };
            return { kind: 'replay', status: row.status!, headers: stored.headers, body: stored.body };
          }
          if (row.locked_until !== null && row.locked_until.getTime() > now.getTime()) {
            throw idempotencyKeyInFlight(1);
          }
          // The first claim's process stopped before answering: this retry takes the key over.
          await repo.replaceWithClaim(tx, claim);
          return proceed;
        }
        throw new Error('idempotency key claim did not settle');
      });
    },

    async finish(claim, answer) {
      await withTenant(db, claim.id.orgId, async (tx) => {
        if (answer.streamed === true || !isStorable(answer.status, answer.headers)) {
          await repo.deleteClaim(tx, claim.id, claim.claimId);
          return;
        }
        const sealed = await secrets.seal(
          tx,
          claim.id.orgId,
          PURPOSE,
          JSON.stringify({ headers: answerHeaders(answer.headers), body: answer.body ?? '' }),
        );
        await repo.completeClaim(tx, claim.id, claim.claimId, { status: answer.status, response: sealed });
      });
    },

    async purgeExpired() {
      let deleted = 0;
      for (;;) {
        const n = await repo.purgeExpired(db, PURGE_BATCH);
        deleted += n;
        if (n < PURGE_BATCH) return { deleted };
      }
    },
  };
}
