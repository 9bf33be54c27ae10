import { sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import { notify } from '../../platform/db/index.ts';
import type { EgressPolicyTables } from './egress-policy.schema.ts';

type Q = Queries<EgressPolicyTables>;

export interface EgressPolicyRow {
  allow: string[];
  deny: string[];
  deniedPorts: number[];
  rateLimitPerMinute: number | null;
  version: number;
  updatedBy: string;
  updatedAt: Date;
}

/** The LISTEN/NOTIFY channel on which a process announces that an org's egress rules changed. */
export const EGRESS_POLICY_CHANNEL = 'sc_egress_policy_changed';

export async function findEgressPolicy(tx: Q, orgId: string): Promise<EgressPolicyRow | undefined> {
  const r = await tx
    .selectFrom('org_egress_policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    allow: r.allow_entries,
    deny: r.deny_entries,
    deniedPorts: r.denied_ports,
    rateLimitPerMinute: r.rate_limit_per_minute,
    version: Number(r.version),
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

/**
 * Replaces the org's rules, bumping the version, and announces the change: the notice is delivered at commit,
 * so no process hears of rules it cannot read yet. Returns the new version.
 */
export async function saveEgressPolicy(
  tx: Q,
  orgId: string,
  p: Pick<
    EgressPolicyRow,
    'allow' | 'deny' | 'deniedPorts' | 'rateLimitPerMinute' | 'updatedBy' | 'updatedAt'
  >,
): Promise<number> {
  const values = {
    allow_entries: sql<string[]>`${p.allow}::text[]`,
    deny_entries: sql<string[]>`${p.deny}::text[]`,
    denied_ports: sql<number[]>`${p.deniedPorts}::integer[]`,
    rate_limit_per_minute: p.rateLimitPerMinute,
    updated_by: p.updatedBy,
    updated_at: p.updatedAt,
  };
  const r = await tx
    .insertInto('org_egress_policies')
    .values({ org_id: orgId, ...values })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({ ...values, version: sql`org_egress_policies.version + 1` }),
    )
    .returning('version')
    .executeTakeFirstOrThrow();
  await notify(tx, EGRESS_POLICY_CHANNEL, orgId);
  return Number(r.version);
}
