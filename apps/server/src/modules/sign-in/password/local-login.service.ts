import type { LocalLoginInput, SessionView } from '@sprintconnect/contracts';
import type { Clock } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { type AuthAttempts, asAttempt } from '../../identity/index.ts';
import { accounts } from '../../rbac/index.ts';
import { findOrgForLogin } from '../accounts/login-orgs.repo.ts';
import { verifyPassword } from '../accounts/password.ts';
import { checkPassword } from '../accounts/password-check.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import type { FoundSession, OpenedSession, SessionService } from '../sessions/sessions.service.ts';
import { completeSignIn } from '../sessions/sign-in.ts';
import { SignInError } from '../sign-in.errors.ts';

export interface LocalLoginService {
  login(
    input: LocalLoginInput,
    current: FoundSession | undefined,
    meta: RequestMeta,
  ): Promise<{ opened: OpenedSession; view: SessionView }>;
  /** Re-proves the person of an active session with their password; refreshes its auth_time. */
  stepUp(session: FoundSession, password: string, meta: RequestMeta): Promise<Date>;
}

export function createLocalLoginService(deps: {
  db: Db;
  sessions: SessionService;
  clock: Clock;
  /** Failed sign-ins per source network, across accounts and processes (password spraying, issue 8 point 7). */
  attempts?: AuthAttempts | undefined;
}): LocalLoginService {
  const { db, clock } = deps;

  const service: LocalLoginService = {
    async login(input, current, meta) {
      const org = await findOrgForLogin(db, input.org);
      if (org === undefined) {
        // Same work and answer as a wrong password, so org slugs cannot be probed this way.
        await verifyPassword(undefined, input.password);
        throw new SignInError(
          'invalid_credentials',
          'The email or password is not correct (or the account has no password).',
        );
      }
      const account = await checkPassword(
        { db, clock },
        org.id,
        input.email.toLowerCase(),
        input.password,
        meta,
      );
      return withTenant(db, org.id, (tx) =>
        completeSignIn(
          tx,
          { sessions: deps.sessions, clock },
          {
            orgId: org.id,
            orgSlug: org.slug,
            account,
            method: 'password',
            authTime: clock.now(),
            meta,
            replacing: current,
          },
        ),
      );
    },

    async stepUp(session, password, meta) {
      const account = await withTenant(db, session.orgId, (tx) =>
        accounts.findAccountById(tx, session.orgId, session.userId),
      );
      if (account === undefined)
        throw new SignInError('session_invalid', 'The account of this session no longer exists.');
      await checkPassword({ db, clock }, session.orgId, account.email, password, meta);
      return withTenant(db, session.orgId, async (tx) => {
        const at = await deps.sessions.refreshAuthTime(tx, session.orgId, session.id);
        await recordChange(
          tx,
          { type: 'user', id: account.id, orgId: session.orgId, requestId: meta.requestId },
          {
            action: 'auth.step_up',
            target: { type: 'user', id: account.id },
            data: { method: 'password', sessionId: session.id, ip: meta.ip ?? null },
          },
          clock,
        );
        return at;
      });
    },
  };
  return {
    login: (input, current, meta) =>
      asAttempt(deps.attempts, meta.ip, () => service.login(input, current, meta)),
    stepUp: (session, password, meta) =>
      asAttempt(deps.attempts, meta.ip, () => service.stepUp(session, password, meta)),
  };
}
