import type { Clock } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';

/** How a person signs in: with the org's OpenID provider, or a local password. */
export type SessionMethod = 'sso' | 'password';

/** Who is signing in from where: recorded with every sign-in event. */
export interface RequestMeta {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly requestId?: string | undefined;
}

/**
 * A failed sign-in, in its own transaction (the attempt's own work, if any, rolled back). Attributed to the
 * org the attempt named; the actor is the system, since nobody proved who they are.
 */
export async function recordSignInFailure(
  db: Db,
  clock: Clock,
  f: {
    orgId: string;
    method: SessionMethod;
    reason: string;
    detail?: string | undefined;
    email?: string | undefined;
    userId?: string | undefined;
    meta: RequestMeta;
  },
): Promise<void> {
  await withTenant(db, f.orgId, (tx) =>
    recordChange(
      tx,
      { type: 'system', id: 'sign-in', orgId: f.orgId, requestId: f.meta.requestId },
      {
        action: 'auth.login.failed',
        target: f.userId === undefined ? { type: 'org', id: f.orgId } : { type: 'user', id: f.userId },
        data: {
          method: f.method,
          reason: f.reason,
          detail: f.detail ?? null,
          email: f.email ?? null,
          ip: f.meta.ip ?? null,
          userAgent: f.meta.userAgent ?? null,
        },
      },
      clock,
    ),
  );
}
