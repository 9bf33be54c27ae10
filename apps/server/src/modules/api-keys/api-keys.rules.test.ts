import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';
import { STEP_UP_MAX_AGE_SECONDS as ACCESS_STEP_UP } from '../identity/index.ts';
import {
  assertStepUpForAdminKey,
  keyState,
  resolveExpiry,
  STEP_UP_MAX_AGE_SECONDS,
  withinCreator,
} from './api-keys.rules.ts';

const now = new Date('2026-03-01T12:00:00Z');
const person = (authTime: Date | undefined): Principal => ({
  kind: 'user',
  id: 'u',
  orgId: 'o',
  name: 'Ada',
  scopes: [],
  roles: ['owner'],
  authMethod: 'session',
  ...(authTime === undefined ? {} : { authTime }),
});

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
  return undefined;
};

describe('API key rules', () => {
  it('takes expiresInDays from now, expiresAt as given, and neither as never', () => {
    expect(resolveExpiry({ expiresInDays: 7 }, now)?.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(resolveExpiry({ expiresAt: '2026-04-01T00:00:00Z' }, now)?.toISOString()).toBe(
      '2026-04-01T00:00:00.000Z',
    );
    expect(resolveExpiry({}, now)).toBeNull();
    expect(resolveExpiry({ expiresAt: null }, now)).toBeNull();
  });

  it('refuses both expiry fields at once, an expiry in the past and one beyond ten years (422)', () => {
    expect(codeOf(() => resolveExpiry({ expiresAt: '2026-04-01T00:00:00Z', expiresInDays: 1 }, now))).toBe(
      'validation_failed',
    );
    expect(codeOf(() => resolveExpiry({ expiresAt: '2026-03-01T11:59:59Z' }, now))).toBe('validation_failed');
    expect(codeOf(() => resolveExpiry({ expiresAt: '2040-01-01T00:00:00Z' }, now))).toBe('validation_failed');
  });

  it('calls a key revoked before expired, and expired from its expiry instant on', () => {
    expect(keyState({ revoked_at: now, expires_at: new Date(0) }, now)).toBe('revoked');
    expect(keyState({ revoked_at: null, expires_at: now }, now)).toBe('expired');
    expect(keyState({ revoked_at: null, expires_at: new Date(now.getTime() + 1) }, now)).toBe('active');
    expect(keyState({ revoked_at: null, expires_at: null }, now)).toBe('active');
  });

  it('asks a person for a sign-in within 10 minutes before creating an admin-level key', () => {
    const fresh = person(new Date(now.getTime() - 9 * 60_000));
    const stale = person(new Date(now.getTime() - 11 * 60_000));
    expect(codeOf(() => assertStepUpForAdminKey(fresh, true, now))).toBeUndefined();
    expect(codeOf(() => assertStepUpForAdminKey(stale, true, now))).toBe('step_up_required');
    expect(codeOf(() => assertStepUpForAdminKey(person(undefined), true, now))).toBe('step_up_required');
    expect(codeOf(() => assertStepUpForAdminKey(stale, false, now))).toBeUndefined();
    const key: Principal = {
      ...person(undefined),
      kind: 'api_key',
      authMethod: 'api_key',
      scopes: ['admin'],
    };
    expect(codeOf(() => assertStepUpForAdminKey(key, true, now))).toBeUndefined();
  });

  it('uses the same step-up window as role changes', () => {
    expect(STEP_UP_MAX_AGE_SECONDS).toBe(ACCESS_STEP_UP);
  });
});

describe('withinCreator: a key made by a key expires no later than its maker', () => {
  const early = new Date('2026-03-02T00:00:00Z');
  const late = new Date('2026-04-01T00:00:00Z');

  it('takes the creator expiry for a key asked to never expire or to outlive it', () => {
    expect(withinCreator(null, early)).toEqual(early);
    expect(withinCreator(late, early)).toEqual(early);
  });

  it('keeps an earlier expiry, and bounds nothing when the creator never expires or is not a key', () => {
    expect(withinCreator(early, late)).toEqual(early);
    expect(withinCreator(null, null)).toBeNull();
    expect(withinCreator(late, undefined)).toEqual(late);
  });
});
