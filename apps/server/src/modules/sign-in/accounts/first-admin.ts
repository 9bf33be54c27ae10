import type { Clock } from '../../../kernel/index.ts';
import { systemClock, uuidv7 } from '../../../kernel/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { isUniqueViolation, withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { accounts as repo } from '../../rbac/index.ts';
import { hashPassword } from './password.ts';

/**
 * The caller then grants the `owner` role (rbac module), only when the user was created now.
 *
 * First start with SPRINTCONNECT_ADMIN_EMAIL / SPRINTCONNECT_ADMIN_PASSWORD: a local owner of the default org,
 * for installs without an identity provider (and to configure one). Only when no user has that email yet: a
 * later start never resets a password someone changed, nor re-grants a role an admin removed.
 */
export async function ensureFirstAdmin(
  ownerDb: Db,
  orgId: string,
  admin: { email: string; password: string },
  clock: Clock = systemClock,
): Promise<{ created: boolean; userId: string }> {
  const email = admin.email.toLowerCase();
  const existing = await withTenant(ownerDb, orgId, (tx) => repo.findAccountByEmail(tx, orgId, email));
  if (existing !== undefined) return { created: false, userId: existing.id };
  const passwordHash = await hashPassword(admin.password);
  const create = withTenant(ownerDb, orgId, async (tx) => {
    const now = clock.now();
    const id = uuidv7(now.getTime());
    await repo.insertAccount(tx, {
      orgId,
      id,
      email,
      name: email.split('@')[0] ?? email,
      idpIssuer: null,
      idpSubject: null,
      passwordHash,
      now,
    });
    await recordChange(
      tx,
      { type: 'system', id: 'bootstrap', orgId },
      { action: 'user.created', target: { type: 'user', id }, data: { email, source: 'bootstrap' } },
      clock,
    );
    return { created: true, userId: id };
  });
  try {
    return await create;
  } catch (e) {
    // Another process starting at the same moment created it first (users_email_per_org).
    if (!isUniqueViolation(e)) throw e;
    const winner = await withTenant(ownerDb, orgId, (tx) => repo.findAccountByEmail(tx, orgId, email));
    if (winner === undefined) throw e;
    return { created: false, userId: winner.id };
  }
}
