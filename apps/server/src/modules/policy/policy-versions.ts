import { createHash } from 'node:crypto';
import type { PolicyVersion } from '@sprintconnect/contracts';
import type { Clock } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Principal } from '../identity/index.ts';
import { actorOf } from '../identity/index.ts';
import { announceAccessChange } from '../rbac/index.ts';
import * as repo from './org-policies.repo.ts';

/**
 * Versions of an org's policies (migration 012): a numbered snapshot of all its policies after every change.
 * System and role policies are not part of a version (they come from code and from roles).
 */
export const toVersionView = (v: repo.PolicyVersionRow): PolicyVersion => ({
  version: v.version,
  hash: v.hash,
  change: v.change as PolicyVersion['change'],
  restoredFrom: v.restored_from,
  createdBy: v.created_by,
  createdAt: new Date(v.created_at).toISOString(),
  policies: v.policies.map((p) => ({ ...p })),
});

/**
 * The org's policies as they are now, as its next version: written, audited and announced in the transaction of
 * the change, so every process drops its compiled set at commit. Returns the new version number.
 */
export async function snapshotVersion(
  tx: Tx,
  clock: Clock,
  p: Principal,
  requestId: string | undefined,
  change: PolicyVersion['change'],
  target: { type?: string; id: string; name: string },
  restoredFrom: number | null = null,
): Promise<number> {
  const orgId = p.orgId;
  const policies = (await repo.listAllPolicies(tx, orgId)).map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    policy: r.body,
    enabled: r.enabled,
  }));
  const hash = createHash('sha256')
    .update(JSON.stringify(policies.map((x) => [x.name, x.description, x.policy, x.enabled])))
    .digest('hex');
  const version = (await repo.latestVersionNumber(tx, orgId)) + 1;
  await repo.insertVersion(tx, orgId, {
    version,
    hash,
    policies,
    change,
    restored_from: restoredFrom,
    created_by: `${p.kind}:${p.id}`,
    created_at: clock.now(),
  });
  await recordChange(
    tx,
    actorOf(p, requestId),
    {
      action: change,
      target: { type: target.type ?? 'policy', id: target.id },
      data: { name: target.name, version, hash, ...(restoredFrom === null ? {} : { restoredFrom }) },
    },
    clock,
  );
  await announceAccessChange(tx, orgId);
  return version;
}
