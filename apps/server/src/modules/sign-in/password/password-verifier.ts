import type { Clock } from '../../../kernel/index.ts';
import { isAppError } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { type AuthAttempts, asAttempt } from '../../identity/index.ts';
import { findOrgForLogin } from '../accounts/login-orgs.repo.ts';
import { verifyPassword as burnArgon2 } from '../accounts/password.ts';
import { checkPassword } from '../accounts/password-check.ts';
import type { VerifyPassword } from '../accounts/signed-in-user.ts';

/**
 * The authorization server's password step, on the local accounts of story 1.1: same throttling, same audit
 * of failures, same answer for an unknown org, an unknown email and a wrong password.
 */
export function localPasswordVerifier(deps: {
  db: Db;
  clock: Clock;
  /** Failed sign-ins per source network, across accounts and processes (issue 8 point 7). */
  attempts?: AuthAttempts | undefined;
}): VerifyPassword {
  const verify: VerifyPassword = async (orgSlug, email, password, meta = {}) => {
    const org = await findOrgForLogin(deps.db, orgSlug);
    if (org === undefined) {
      await burnArgon2(undefined, password);
      return undefined;
    }
    try {
      const a = await checkPassword(deps, org.id, email.toLowerCase(), password, meta);
      return { id: a.id, orgId: org.id, email: a.email, name: a.name };
    } catch (e) {
      if (isAppError(e) && e.code === 'invalid_credentials') return undefined;
      throw e;
    }
  };
  return (orgSlug, email, password, meta = {}) =>
    asAttempt(
      deps.attempts,
      meta.ip,
      () => verify(orgSlug, email, password, meta),
      (user) => user !== undefined,
    );
}
