import type { Actor } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';

/** What the API-key service needs from the modules around it, each handed over by the module factory. */

/**
 * The `api_keys` quota (modules/quotas, whose counter this module hands over, ADR 0025). Creating and revoking
 * run their transaction inside `exclusive` (the org's turn, waited for without a pooled connection); `take` comes
 * first in the creating transaction and throws quota_exceeded at the limit; `release` gives back the slot of a
 * key revoked while active.
 */
export interface ApiKeyQuota {
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  take(tx: Tx, orgId: string): Promise<void>;
  release(tx: Tx, orgId: string): Promise<void>;
}

/** Runs `change` in `tx` and may refuse it afterwards (throwing rolls the transaction back). */
export type TxGuard = <T>(tx: Tx, change: () => Promise<T>) => Promise<T>;

/** Roles a credential is given in its creating transaction, and taken away in its revoking one (rbac). */
export interface KeyRoles {
  assignInTx(tx: Tx, actor: Actor, keyId: string, roles: readonly string[]): Promise<void>;
  removeInTx(tx: Tx, actor: Actor, keyId: string): Promise<void>;
}
