import type { ApiKeyView } from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';
import { displayPrefix } from './api-key-token.ts';
import type { ApiKeyRow } from './api-keys.repo.ts';

/** Pure rules of API keys: expiry, state, the view, and which creations are sensitive. */

const DAY_MS = 86_400_000;
export const MAX_KEY_LIFETIME_DAYS = 3650;
/** A person creating an admin-level key must have signed in this recently (same rule as access/step-up.ts). */
export const STEP_UP_MAX_AGE_SECONDS = 600;

/** `expiresAt` (a time, or null for never) or `expiresInDays`, not both; absent means never. */
export function resolveExpiry(
  input: { expiresAt?: string | null | undefined; expiresInDays?: number | undefined },
  now: Date,
): Date | null {
  if (input.expiresAt !== undefined && input.expiresInDays !== undefined) {
    throw new AppError('validation_failed', 'Give either expiresAt or expiresInDays, not both.', {
      errors: [{ pointer: '/expiresInDays', detail: 'cannot be combined with expiresAt' }],
    });
  }
  if (input.expiresInDays !== undefined) return new Date(now.getTime() + input.expiresInDays * DAY_MS);
  if (input.expiresAt === undefined || input.expiresAt === null) return null;
  const at = new Date(input.expiresAt);
  const field = (detail: string) =>
    new AppError('validation_failed', `expiresAt ${detail}.`, {
      errors: [{ pointer: '/expiresAt', detail }],
    });
  if (at.getTime() <= now.getTime()) throw field('must be in the future');
  if (at.getTime() > now.getTime() + MAX_KEY_LIFETIME_DAYS * DAY_MS) {
    throw field(`must be within ${MAX_KEY_LIFETIME_DAYS} days`);
  }
  return at;
}

/** The earlier of a key's own expiry and its creator's (null: never; a creator without expiry bounds nothing). */
export function withinCreator(own: Date | null, creator: Date | null | undefined): Date | null {
  if (creator === undefined || creator === null) return own;
  return own === null || own.getTime() > creator.getTime() ? creator : own;
}

export type KeyState = 'active' | 'expired' | 'revoked';

export function keyState(row: Pick<ApiKeyRow, 'revoked_at' | 'expires_at'>, now: Date): KeyState {
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toApiKeyView(row: ApiKeyRow, now: Date): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    scopes: row.scopes,
    prefix: displayPrefix(row.prefix),
    state: keyState(row, now),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    links: { self: `/v1/api-keys/${row.id}` },
  };
}

/**
 * Creating a key that grants admin-level permissions hands out lasting power, so a person must have signed in
 * within the last ten minutes (step-up, as for role changes). Machine callers have no person to re-authenticate;
 * they reach this only if their own scopes already cover the new key's (the no-broader-than-own rule).
 */
export function assertStepUpForAdminKey(principal: Principal, adminLevel: boolean, now: Date): void {
  if (principal.kind !== 'user' || !adminLevel) return;
  const at = principal.authTime;
  const age = at === undefined ? Number.POSITIVE_INFINITY : (now.getTime() - at.getTime()) / 1000;
  if (age <= STEP_UP_MAX_AGE_SECONDS) return;
  const when = at === undefined ? 'at an unknown time' : `at ${at.toISOString()}`;
  const bearer = principal.authMethod === 'bearer_jwt' || principal.authMethod === 'dpop_jwt';
  throw new AppError(
    'step_up_required',
    `Creating a key with an admin scope needs a sign-in within the last ${STEP_UP_MAX_AGE_SECONDS / 60} minutes; ` +
      `you signed in ${when}. Sign in again (step-up), then retry.`,
    bearer
      ? {
          // RFC 9470 §3: tells an OAuth client to come back with a token from a fresh authentication.
          headers: {
            'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=${STEP_UP_MAX_AGE_SECONDS}`,
          },
        }
      : {},
  );
}
