import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.ts';
import type { Principal } from './principal.ts';
import { assertRecentSignIn } from './step-up.ts';

const now = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const person = (extra: Partial<Principal>): Principal => ({
  kind: 'user',
  id: 'u',
  orgId: 'o',
  name: 'u',
  scopes: [],
  roles: [],
  authMethod: 'session',
  ...extra,
});

function errorOf(p: Principal): AppError | undefined {
  try {
    assertRecentSignIn(p, now);
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

describe('step-up for role changes', () => {
  it('lets a person who signed in within 10 minutes through', () => {
    expect(errorOf(person({ authTime: minutesAgo(9) }))).toBeUndefined();
    expect(errorOf(person({ authTime: minutesAgo(10) }))).toBeUndefined();
  });

  it('asks a person whose sign-in is older than 10 minutes to sign in again', () => {
    const e = errorOf(person({ authTime: minutesAgo(11) }));
    expect(e?.code).toBe('step_up_required');
    expect(e?.detail).toMatch(/within the last 10 minutes; you signed in at 2026-03-01T11:49:00.000Z/);
    expect(e?.headers).toBeUndefined();
  });

  it('treats an unknown sign-in time as too old (fail closed)', () => {
    expect(errorOf(person({}))?.code).toBe('step_up_required');
  });

  it('adds the RFC 9470 challenge for access tokens', () => {
    const e = errorOf(person({ authMethod: 'bearer_jwt', authTime: minutesAgo(30) }));
    expect(e?.headers?.['www-authenticate']).toMatch(/error="insufficient_user_authentication".*max_age=600/);
  });

  it('does not apply to API keys and OAuth clients, which have no person to re-authenticate', () => {
    expect(errorOf(person({ kind: 'api_key', authMethod: 'api_key' }))).toBeUndefined();
    expect(errorOf(person({ kind: 'client', authMethod: 'bearer_jwt' }))).toBeUndefined();
  });
});
