import { AppError } from '../../kernel/index.ts';
import type { Authorizer, Permission } from '../authz/index.ts';
import { ALL_PERMISSIONS } from '../authz/index.ts';

/**
 * No escalation: nobody hands out power they do not have. The permissions a caller holds are exactly the
 * actions its authorizer allows it in its own org (roles, narrowed by token scopes; or an API key's scopes),
 * so the rule follows whatever the policy decision point decides (`Authorizer.held`).
 */

/** The permissions in `wanted` that `held` lacks, in catalogue order. */
export function lacking(held: readonly Permission[], wanted: Iterable<Permission>): Permission[] {
  const want = new Set(wanted);
  return ALL_PERMISSIONS.filter((p) => want.has(p) && !held.includes(p));
}

/**
 * Throws the 403 problem naming what is missing when `wanted` is not within what the caller holds. `what`
 * completes the sentence "You cannot ...", e.g. `grant the role "admin"`.
 */
export function assertWithinHeld(authz: Authorizer, what: string, wanted: Iterable<Permission>): void {
  const missing = lacking(authz.held(), wanted);
  if (missing.length === 0) return;
  throw new AppError(
    'forbidden',
    `You cannot ${what}: it carries permissions you do not have yourself: ${missing.join(', ')}.`,
  );
}
