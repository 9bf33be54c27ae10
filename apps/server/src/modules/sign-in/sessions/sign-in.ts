import type { SessionView } from '@sprintconnect/contracts';
import type { Clock } from '../../../kernel/index.ts';
import type { Tx } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { type AccountRow, accounts } from '../../rbac/index.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import type { FoundSession, OpenedSession, SessionMethod, SessionService } from './sessions.service.ts';

/**
 * The end of every successful sign-in (SSO or password), in the caller's transaction: a new session (the one
 * the browser held before, if any, is ended, so a session id never survives a change of who or how recently),
 * the account's sign-in bookkeeping, and the audit event.
 */
export async function completeSignIn(
  tx: Tx,
  deps: { sessions: SessionService; clock: Clock },
  s: {
    orgId: string;
    orgSlug: string;
    account: AccountRow;
    method: SessionMethod;
    authTime: Date;
    meta: RequestMeta;
    replacing?: FoundSession | undefined;
    stepUp?: boolean;
  },
): Promise<{ opened: OpenedSession; view: SessionView }> {
  if (s.replacing !== undefined && s.replacing.orgId === s.orgId && s.replacing.state === 'active') {
    await deps.sessions.revoke(tx, s.orgId, s.replacing.id);
  }
  const opened = await deps.sessions.open(tx, {
    orgId: s.orgId,
    userId: s.account.id,
    method: s.method,
    authTime: s.authTime,
    ip: s.meta.ip,
    userAgent: s.meta.userAgent,
  });
  await accounts.recordLoginSuccess(tx, s.orgId, s.account.id, deps.clock.now());
  await recordChange(
    tx,
    { type: 'user', id: s.account.id, orgId: s.orgId, requestId: s.meta.requestId },
    {
      action: s.stepUp === true ? 'auth.step_up' : 'auth.login.succeeded',
      target: { type: 'user', id: s.account.id },
      data: {
        method: s.method,
        sessionId: opened.id,
        ip: s.meta.ip ?? null,
        userAgent: s.meta.userAgent ?? null,
      },
    },
    deps.clock,
  );
  return {
    opened,
    view: {
      user: { id: s.account.id, email: s.account.email, name: s.account.name },
      org: { id: s.orgId, slug: s.orgSlug },
      method: s.method,
      authTime: opened.authTime.toISOString(),
      expiresAt: opened.expiresAt.toISOString(),
    },
  };
}
