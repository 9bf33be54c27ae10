import type { Clock } from '../../../kernel/index.ts';
import { uuidv7 } from '../../../kernel/index.ts';
import type { Db, Tx } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { needsTouch, SESSION_ABSOLUTE_MS, type SessionState, sessionState } from './session-policy.ts';
import { generateSessionToken, hashSessionToken, looksLikeSessionToken } from './session-token.ts';
import * as repo from './sessions.repo.ts';

export type { SessionMethod } from './sessions.repo.ts';

export interface OpenedSession {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: Date;
  readonly authTime: Date;
}

export interface FoundSession {
  readonly state: SessionState;
  readonly orgId: string;
  readonly orgSlug: string;
  readonly id: string;
  readonly userId: string;
  readonly method: repo.SessionMethod;
  readonly authTime: Date;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
}

export interface SessionService {
  /** Opens a session inside the caller's transaction (which records the sign-in). */
  open(
    tx: Tx,
    s: {
      orgId: string;
      userId: string;
      method: repo.SessionMethod;
      authTime: Date;
      ip?: string | undefined;
      userAgent?: string | undefined;
    },
  ): Promise<OpenedSession>;
  /** The session a cookie names, in whatever state; undefined when the token is not one of ours. */
  find(token: string | undefined, now?: Date): Promise<FoundSession | undefined>;
  /** Records activity for the idle limit (at most once a minute per session). */
  touch(s: FoundSession, now?: Date): Promise<void>;
  revoke(tx: Tx, orgId: string, id: string): Promise<boolean>;
  refreshAuthTime(tx: Tx, orgId: string, id: string): Promise<Date>;
}

export function createSessionService(deps: { db: Db; pepper: Buffer; clock: Clock }): SessionService {
  const { db, pepper, clock } = deps;

  return {
    async open(tx, s) {
      const now = clock.now();
      const token = generateSessionToken();
      const id = uuidv7(now.getTime());
      const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
      await repo.insertSession(tx, {
        orgId: s.orgId,
        id,
        userId: s.userId,
        tokenHash: hashSessionToken(pepper, token),
        method: s.method,
        createdAt: now,
        expiresAt,
        authTime: s.authTime,
        ip: s.ip ?? null,
        userAgent: s.userAgent?.slice(0, 512) ?? null,
      });
      return { id, token, expiresAt, authTime: s.authTime };
    },

    async find(token, at) {
      if (token === undefined || !looksLikeSessionToken(token)) return undefined;
      const row = await repo.findSessionByHash(db, hashSessionToken(pepper, token));
      if (row === undefined) return undefined;
      const now = at ?? clock.now();
      return {
        state: sessionState(
          { expiresAt: row.expires_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at },
          now,
        ),
        orgId: row.org_id,
        orgSlug: row.org_slug,
        id: row.id,
        userId: row.user_id,
        method: row.method,
        authTime: row.auth_time,
        expiresAt: row.expires_at,
        lastSeenAt: row.last_seen_at,
      };
    },

    async touch(s, at) {
      const now = at ?? clock.now();
      if (!needsTouch(s.lastSeenAt, now)) return;
      await withTenant(db, s.orgId, (tx) => repo.touchSession(tx, s.orgId, s.id, now));
    },

    revoke: (tx, orgId, id) => repo.revokeSession(tx, orgId, id, clock.now()),

    async refreshAuthTime(tx, orgId, id) {
      const now = clock.now();
      await repo.setAuthTime(tx, orgId, id, now);
      return now;
    },
  };
}
