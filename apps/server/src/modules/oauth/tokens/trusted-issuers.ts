import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { Actor } from '../../../kernel/index.ts';
import { AppError, type ErrorCode, orgScopedKey, uuidv7 } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import type { CheckUrlResult, FetchFunction } from '../../../platform/egress/index.ts';
import { refusalOf, type UrlRefusal } from '../../../platform/egress/index.ts';
import { recordChange } from '../../audit/index.ts';
import {
  deleteTrustedIssuer,
  findTrustedIssuers,
  insertTrustedIssuer,
  listTrustedIssuers,
} from './trusted-issuers.repo.ts';
import type { TrustedIssuer } from './verify-access-token.ts';

/** The same codes server registration gives for the same refusal (registry.errors.ts; issue 8 fixes, M2). */
export const REFUSAL_CODE = {
  platform: 'url_not_allowed',
  port: 'port_not_allowed',
  org_policy: 'egress_denied_by_org_policy',
} as const satisfies Record<UrlRefusal, ErrorCode>;

export interface TrustedIssuerInput {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
}

export interface TrustedIssuerView extends TrustedIssuerInput {
  readonly id: string;
}

export interface TrustedIssuers {
  add(actor: Actor, input: TrustedIssuerInput): Promise<TrustedIssuerView>;
  remove(actor: Actor, id: string): Promise<boolean>;
  list(actor: Actor): Promise<TrustedIssuerView[]>;
  /** Verifier side: the trust entries for an exact issuer string, cached; empty when none. */
  resolve(issuer: string): Promise<readonly TrustedIssuer[]>;
}

export interface TrustedIssuersDeps {
  readonly db: Db;
  /** `SPRINTCONNECT_PUBLIC_URL`: org audiences are `<public URL>/v1/orgs/<org id>`. */
  readonly publicUrl: string;
  /**
   * The org's egress fetch: org-supplied JWKS URLs are fetched only through the guarded way out, under the
   * trusting org's egress rules and outbound rate limit (ADR 0014).
   */
  readonly fetchFor: (orgId: string) => FetchFunction;
  /** Pre-flight for the JWKS URL (platform egress policy, then the org's rules). */
  readonly checkUrl: (orgId: string, url: string) => Promise<CheckUrlResult>;
  /** How long a lookup (hit or miss) is served from memory; removals reach other processes within this. */
  readonly cacheTtlMs?: number;
  /** Minimum time between two fetches of one JWKS (an unknown kid refetches at most this often). */
  readonly jwksCooldownMs?: number;
  readonly now?: () => number;
}

const MAX_CACHED = 1000;

function checkInput(input: TrustedIssuerInput): void {
  const errors: { pointer: string; detail: string }[] = [];
  const url = (v: string) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  };
  if (!url(input.issuer)) errors.push({ pointer: '/issuer', detail: 'must be an absolute http(s) URL' });
  if (input.audience.trim() === '') errors.push({ pointer: '/audience', detail: 'must not be empty' });
  if (!url(input.jwksUri)) errors.push({ pointer: '/jwksUri', detail: 'must be an absolute http(s) URL' });
  if (errors.length > 0)
    throw new AppError('validation_failed', 'The trusted issuer is invalid.', { errors });
}

/**
 * The audience only one org can require (issue 8 point 9, ADR 0022): an IdP that puts it in `aud` addresses
 * that org and no other, so orgs sharing an IdP (and an audience) stay apart without first-come ownership.
 */
export const orgAudience = (publicUrl: string, orgId: string): string => `${publicUrl}/v1/orgs/${orgId}`;

function checkOrgAudience(publicUrl: string, orgId: string, audience: string): void {
  if (!audience.startsWith(orgAudience(publicUrl, '')) || audience === orgAudience(publicUrl, orgId)) return;
  throw new AppError(
    'validation_failed',
    'The audience is the organization audience of another organization.',
    {
      errors: [
        {
          pointer: '/audience',
          detail: `must be ${orgAudience(publicUrl, orgId)} or not an organization audience`,
        },
      ],
    },
  );
}

/**
 * Identity providers an org trusts to mint access tokens for SprintConnect (story 8.1). Lookups are cached
 * (hits and misses), and each JWKS URL gets one jose remote key set: cached, refetched when an unknown kid shows
 * up (at most once per cooldown), fetched through egress.
 */
export function createTrustedIssuers(deps: TrustedIssuersDeps): TrustedIssuers {
  const ttl = deps.cacheTtlMs ?? 30_000;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { at: number; value: readonly TrustedIssuer[] }>();
  const keySets = new Map<string, JWTVerifyGetKey>();

  /** One remote key set per org and JWKS URL: each is fetched under its own org's egress rules. */
  const keysFor = (orgId: string, jwksUri: string): JWTVerifyGetKey => {
    const key = orgScopedKey(orgId, jwksUri);
    let set = keySets.get(key);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(jwksUri), {
        [customFetch]: deps.fetchFor(orgId),
        timeoutDuration: 5_000,
        cooldownDuration: deps.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      if (keySets.size >= MAX_CACHED) keySets.delete(keySets.keys().next().value!);
      keySets.set(key, set);
    }
    return set;
  };

  return {
    async add(actor, input) {
      checkInput(input);
      checkOrgAudience(deps.publicUrl, actor.orgId, input.audience);
      const check = await deps.checkUrl(actor.orgId, input.jwksUri);
      if (!check.ok) {
        throw new AppError(
          REFUSAL_CODE[refusalOf(check.code)],
          `The JWKS URL is not allowed: ${check.detail}`,
        );
      }
      const id = uuidv7();
      try {
        await withTenant(deps.db, actor.orgId, async (tx) => {
          await insertTrustedIssuer(tx, {
            org_id: actor.orgId,
            id,
            issuer: input.issuer,
            audience: input.audience,
            jwks_uri: input.jwksUri,
            created_by: `${actor.type}:${actor.id}`,
          });
          await recordChange(tx, actor, {
            action: 'oauth.trusted_issuer.added',
            target: { type: 'trusted_issuer', id },
            data: { issuer: input.issuer, audience: input.audience, jwksUri: input.jwksUri },
          });
        });
      } catch (e) {
        // Unique within the org only (migration 013): whatever other orgs trust is neither refused nor told.
        if ((e as { code?: string }).code === '23505') {
          throw new AppError('conflict', 'This organization already trusts this issuer and audience.');
        }
        throw e;
      }
      cache.delete(input.issuer);
      return { id, ...input };
    },

    async remove(actor, id) {
      const removed = await withTenant(deps.db, actor.orgId, async (tx) => {
        const rows = await listTrustedIssuers(tx, actor.orgId);
        const row = rows.find((r) => r.id === id);
        if (row === undefined || !(await deleteTrustedIssuer(tx, actor.orgId, id))) return undefined;
        await recordChange(tx, actor, {
          action: 'oauth.trusted_issuer.removed',
          target: { type: 'trusted_issuer', id },
          data: { issuer: row.issuer, audience: row.audience },
        });
        return row;
      });
      if (removed !== undefined) cache.delete(removed.issuer);
      return removed !== undefined;
    },

    async list(actor) {
      const rows = await withTenant(deps.db, actor.orgId, (tx) => listTrustedIssuers(tx, actor.orgId));
      return rows.map((r) => ({ id: r.id, issuer: r.issuer, audience: r.audience, jwksUri: r.jwks_uri }));
    },

    async resolve(issuer) {
      const hit = cache.get(issuer);
      if (hit !== undefined && now() - hit.at < ttl) return hit.value;
      const rows = await findTrustedIssuers(deps.db, issuer);
      const value = rows.map(
        (r): TrustedIssuer => ({
          kind: 'trusted',
          id: r.id,
          orgId: r.org_id,
          issuer: r.issuer,
          audience: r.audience,
          orgBound: r.audience === orgAudience(deps.publicUrl, r.org_id),
          keys: keysFor(r.org_id, r.jwks_uri),
        }),
      );
      cache.delete(issuer);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(issuer, { at: now(), value });
      return value;
    },
  };
}
