import type { QuotaView } from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { findOrg } from '../tenancy/index.ts';
import { type CountQuotaName, QUOTA_NAMES, QUOTAS, type QuotaName } from './catalogue.ts';
import { dayPeriod, type Period } from './periods.ts';
import { quotaExceeded, quotaNotFound } from './quotas.errors.ts';
import * as repo from './quotas.repo.ts';

/** How many of a `count` quota's things the org holds now; supplied by the module that owns them. */
export type QuotaCounter = (tx: Tx, orgId: string, now: Date) => Promise<number>;
export type QuotaCounters = Readonly<Record<CountQuotaName, QuotaCounter>>;

export interface QuotaService {
  /**
   * Inside the transaction that creates one more of `name`: takes the quota's lock (held to commit), and
   * throws quota_exceeded when the org is at its limit; a per-day quota also counts this one. The caller's
   * insert follows in the same transaction, so a rollback gives the slot back.
   */
  take(tx: Tx, orgId: string, name: QuotaName): Promise<void>;
  list(actor: Actor): Promise<QuotaView[]>;
  /** Sets (or with `null` removes) the org's override; audited. */
  set(actor: Actor, name: string, limit: number | null): Promise<QuotaView>;
}

export function createQuotaService(deps: { db: Db; clock: Clock; counters: QuotaCounters }): QuotaService {
  const { db, clock } = deps;

  async function periodOf(tx: Tx, orgId: string, name: QuotaName, now: Date): Promise<Period | undefined> {
    if (QUOTAS[name].kind !== 'per_day') return undefined;
    const org = await findOrg(tx, orgId);
    return dayPeriod(now, org?.time_zone ?? 'UTC');
  }

  async function usedOf(tx: Tx, orgId: string, name: QuotaName, now: Date, period: Period | undefined) {
    const spec = QUOTAS[name];
    if (spec.kind === 'count') return deps.counters[name as CountQuotaName](tx, orgId, now);
    return repo.periodUsed(tx, orgId, name, period!.key);
  }

  async function view(tx: Tx, orgId: string, name: QuotaName, override: number | undefined, now: Date) {
    const period = await periodOf(tx, orgId, name, now);
    const used = await usedOf(tx, orgId, name, now, period);
    const spec = QUOTAS[name];
    const limit = override ?? spec.default;
    return {
      name,
      description: spec.description,
      kind: spec.kind,
      limit,
      default: spec.default,
      overridden: override !== undefined,
      used,
      remaining: Math.max(0, limit - used),
      period: period === undefined ? null : { key: period.key, resetsAt: period.resetsAt.toISOString() },
    } satisfies QuotaView;
  }

  return {
    async take(tx, orgId, name) {
      await repo.lockQuota(tx, orgId, name);
      const now = clock.now();
      const limit = (await repo.findOverride(tx, orgId, name)) ?? QUOTAS[name].default;
      const period = await periodOf(tx, orgId, name, now);
      const used = await usedOf(tx, orgId, name, now, period);
      if (used >= limit) throw quotaExceeded(name, limit, used, period?.resetsAt, now);
      if (period !== undefined) await repo.addPeriodUse(tx, orgId, name, period.key);
    },

    async list(actor) {
      const now = clock.now();
      return withTenant(db, actor.orgId, async (tx) => {
        const overrides = await repo.listOverrides(tx, actor.orgId);
        const out: QuotaView[] = [];
        for (const name of QUOTA_NAMES) out.push(await view(tx, actor.orgId, name, overrides.get(name), now));
        return out;
      });
    },

    async set(actor, name, limit) {
      if (!Object.hasOwn(QUOTAS, name)) throw quotaNotFound(name);
      const q = name as QuotaName;
      const now = clock.now();
      return withTenant(db, actor.orgId, async (tx) => {
        // Under the quota's lock: a take running now sees either the old limit or the new one, not a mix.
        await repo.lockQuota(tx, actor.orgId, q);
        const before = await repo.findOverride(tx, actor.orgId, q);
        if (limit === null) await repo.deleteOverride(tx, actor.orgId, q);
        else
          await repo.upsertOverride(tx, {
            orgId: actor.orgId,
            quota: q,
            limit,
            at: now,
            by: `${actor.type}:${actor.id}`,
          });
        await recordChange(
          tx,
          actor,
          {
            action: 'quota.changed',
            target: { type: 'quota', id: q },
            data: {
              from: before ?? QUOTAS[q].default,
              to: limit ?? QUOTAS[q].default,
              overridden: limit !== null,
            },
          },
          clock,
        );
        return view(tx, actor.orgId, q, limit ?? undefined, now);
      });
    },
  };
}
