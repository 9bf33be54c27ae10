import type { EgressCheck, EgressPolicyInput, EgressPolicyView } from '@sprintconnect/contracts';
import type { Actor, Clock, FieldError } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { formatOrgEgressRules, parseOrgEgressRules } from '../../platform/egress/index.ts';
import { recordChange } from '../audit/index.ts';
import { type EgressPolicyRow, findEgressPolicy, saveEgressPolicy } from './egress-policy.repo.ts';
import type { OrgEgress } from './org-egress.ts';

export interface EgressPolicyService {
  get(actor: Actor): Promise<EgressPolicyView>;
  put(actor: Actor, input: EgressPolicyInput): Promise<EgressPolicyView>;
  /** Dry run: would a request to `url` made for the org now be allowed, and by which rule. Sends nothing. */
  check(actor: Actor, url: string): Promise<EgressCheck>;
}

/** Story 8.3: an org's egress rules (validated, audited, announced to every process) and the dry run. */
export function createEgressPolicyService(deps: {
  db: Db;
  orgEgress: OrgEgress;
  /** The platform default and ceiling of the per-org outbound rate limit. */
  defaultRateLimit: number;
  clock: Clock;
}): EgressPolicyService {
  const { db } = deps;

  const view = (row: EgressPolicyRow | undefined): EgressPolicyView => ({
    allow: row?.allow ?? [],
    deny: row?.deny ?? [],
    deniedPorts: row?.deniedPorts ?? [],
    rateLimitPerMinute: row?.rateLimitPerMinute ?? null,
    effectiveRateLimitPerMinute: row?.rateLimitPerMinute ?? deps.defaultRateLimit,
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
  });

  return {
    async get(actor) {
      return view(await withTenant(db, actor.orgId, (tx) => findEgressPolicy(tx, actor.orgId)));
    },

    async put(actor, input) {
      const parsed = parseOrgEgressRules(input);
      const errors: FieldError[] = parsed.ok ? [] : [...parsed.errors];
      const limit = input.rateLimitPerMinute ?? null;
      if (limit !== null && limit > deps.defaultRateLimit) {
        errors.push({
          pointer: '/rateLimitPerMinute',
          detail: `must be at most ${deps.defaultRateLimit}, the platform limit (an org can only narrow it)`,
        });
      }
      if (!parsed.ok || errors.length > 0) {
        throw new AppError('validation_failed', `The egress policy has ${errors.length} invalid field(s).`, {
          errors,
        });
      }
      const canonical = formatOrgEgressRules(parsed.rules);
      const row = await withTenant(db, actor.orgId, async (tx) => {
        const now = deps.clock.now();
        const version = await saveEgressPolicy(tx, actor.orgId, {
          ...canonical,
          rateLimitPerMinute: limit,
          updatedBy: `${actor.type}:${actor.id}`,
          updatedAt: now,
        });
        await recordChange(
          tx,
          actor,
          {
            action: 'egress_policy.updated',
            target: { type: 'egress_policy', id: actor.orgId },
            data: { version, ...canonical, rateLimitPerMinute: limit },
          },
          deps.clock,
        );
        return findEgressPolicy(tx, actor.orgId);
      });
      // This process applies the change at once; the others when the notification arrives.
      deps.orgEgress.invalidate(actor.orgId);
      return view(row);
    },

    async check(actor, url) {
      const r = await deps.orgEgress.forOrg(actor.orgId).checkUrl(url);
      if (r.ok) {
        return {
          allowed: true,
          rule: r.rule,
          code: null,
          detail:
            r.rule === 'none'
              ? 'allowed: no org rule applies and the platform policy admits every address'
              : `allowed by ${r.rule.replace(':', ' entry ')}`,
          addresses: r.addresses.map((a) => a.address),
        };
      }
      return {
        allowed: false,
        rule: r.rule ?? `global:${r.code}`,
        code: r.code,
        detail: r.detail,
        addresses: [],
      };
    },
  };
}
