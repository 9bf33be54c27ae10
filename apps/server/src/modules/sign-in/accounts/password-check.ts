import type { Clock } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { accounts as repo } from '../../rbac/index.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import { SignInError } from '../sign-in.errors.ts';
import { nextAttemptAfter, retryAfterSeconds } from './login-throttle.ts';
import { verifyPassword } from './password.ts';
import { recordSignInFailure } from './sign-in-audit.ts';

const wrong = () =>
  new SignInError(
    'invalid_credentials',
    'The email or password is not correct (or the account has no password).',
  );

/**
 * Checks a password for an account of the org, with the per-account backoff: while an account is backing off,
 * attempts are refused (429) without looking at the password; a wrong password counts a failure and audits it.
 * The same answer for an unknown email, a wrong password and an SSO-only account, and the same Argon2 work.
 */
export async function checkPassword(
  deps: { db: Db; clock: Clock },
  orgId: string,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<repo.AccountRow> {
  const { db, clock } = deps;
  const account = await withTenant(db, orgId, (tx) => repo.findAccountByEmail(tx, orgId, email));
  const wait = retryAfterSeconds(account?.next_login_at ?? null, clock.now());
  if (account !== undefined && wait > 0) {
    await recordSignInFailure(db, clock, {
      orgId,
      method: 'password',
      reason: 'throttled',
      email,
      userId: account.id,
      meta,
    });
    throw new AppError(
      'rate_limited',
      `Too many failed sign-ins for this account; try again in ${wait} seconds.`,
      { retryAfterSeconds: wait },
    );
  }
  const ok = await verifyPassword(account?.password_hash, password);
  if (ok && account !== undefined && account.status === 'active') return account;

  if (account !== undefined) {
    await withTenant(db, orgId, async (tx) => {
      const failures = await repo.countLoginFailure(tx, orgId, account.id);
      await repo.setNextLoginAt(tx, orgId, account.id, nextAttemptAfter(failures, clock.now()));
    });
  }
  await recordSignInFailure(db, clock, {
    orgId,
    method: 'password',
    reason: account === undefined ? 'unknown_email' : ok ? 'account_disabled' : 'wrong_password',
    email,
    userId: account?.id,
    meta,
  });
  throw wrong();
}
