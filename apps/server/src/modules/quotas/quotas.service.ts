import type { QuotaView } from '@sprintconnect/contracts';
import { type Actor, type Clock, createZonedTime } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { orgTimeZone } from '../tenancy/index.ts';
import {
  type CountQuotaName,
  type DailyQuotaName,
  QUOTA_NAMES,
  QUOTAS,
  type QuotaName,
} from './catalogue.ts';
import { createOrgGate } from './org-gate.ts';
import { dayPeriod, type Period } from './periods.ts';
import { quotaBusy, quotaExceeded, quotaNotFound } from './quotas.errors.ts';
import * as repo from './quotas.repo.ts';

/**
 * How many of a `count` quota's things the org holds now, counted from the rows; supplied by the module that owns
 * them. Takes use a counter (quota_usage) and recount with this only now and then (ADR 0025).
 */
export type QuotaCounter = (tx: Tx, orgId: string, now: Date) => Promise<number>;

/**
 * One quota as the module that creates its things uses it (ADR 0025): a creating (or deleting) transaction runs
 * inside `exclusive`, the org's turn; `take` comes first in it and throws quota_exceeded at the limit.
 */
export interface DailyQuota {
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  take(tx: Tx, orgId: string): Promise<void>;
}
export interface CountedQuota extends DailyQuota {
  /** In the transaction that deletes one of the things (a revoked key, a removed server). */
  release(tx: Tx, orgId: string): Promise<void>;
}

export interface QuotaService {
  /**
   * Runs `fn` in the org's turn in this process (org-gate.ts): every transaction that takes or releases one of
   * the org's quotas runs inside it, and opens its transaction only once it has the turn, so waiters hold no
   * pooled connection. Refuses with 429 quota_busy after `maxWaitMs` in the queue. Never nest it.
   */
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Inside the transaction that creates one more of `name` (and inside `exclusive`): counts it, or throws
   * quota_exceeded when the org is at its limit. The caller's insert follows in the same transaction, so a
   * rollback gives the slot back. The counter's row stays locked to commit (other processes' takes wait for it).
   */
  take(tx: Tx, orgId: string, name: QuotaName): Promise<void>;
  /** Inside the transaction that deletes one of a `count` quota's things (and inside `exclusive`). */
  release(tx: Tx, orgId: string, name: CountQuotaName): Promise<void>;
  /**
   * The `count` quota `name`, for the module that owns its rows, which hands over how to count them (once, at
   * its creation: ADR 0028).
   */
  counted(name: CountQuotaName, counter: QuotaCounter): CountedQuota;
  /** A `per_day` quota, counted here. */
  daily(name: DailyQuotaName): DailyQuota;
  list(actor: Actor): Promise<QuotaView[]>;
  /** Sets (or with `null` removes) the org's override; audited. */
  set(actor: Actor, name: string, limit: number | null): Promise<QuotaView>;
}

/** A counter older than this is recounted from the rows by the next take: drift lasts at most this long. */
const RECOUNT_AFTER_MS = 60 * 60 * 1000;

export function createQuotaService(deps: {
  db: Db;
  clock: Clock;
  /** How long a create may wait for its org's turn before 429 quota_busy (default 10 s). */
  maxWaitMs?: number;
}): QuotaService {
  const { db, clock } = deps;
  const zonedTime = createZonedTime();
  const gate = createOrgGate({ maxWaitMs: deps.maxWaitMs ?? 10_000, busy: quotaBusy });
  const counters = new Map<CountQuotaName, QuotaCounter>();
  const count = (name: CountQuotaName, tx: Tx, orgId: string, now: Date): Promise<number> => {
    const counter = counters.get(name);
    // A programming error, not a request's: the module owning the rows did not hand its counter over.
    if (counter === undefined) throw new Error(`the ${name} quota has no counter: its module hands one over`);
    return counter(tx, orgId, now);
  };

  async function periodOf(tx: Tx, orgId: string, name: QuotaName, now: Date): Promise<Period | undefined> {
    if (QUOTAS[name].kind !== 'per_day') return undefined;
    return dayPeriod(now, await orgTimeZone(tx, orgId), zonedTime);
  }

  async function usedOf(tx: Tx, orgId: string, name: QuotaName, now: Date, period: Period | undefined) {
    const spec = QUOTAS[name];
    if (spec.kind === 'count') return count(name as CountQuotaName, tx, orgId, now);
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

  const service: QuotaService = {
    exclusive: (orgId, fn) => gate.run(orgId, fn),

    counted(name, counter) {
      counters.set(name, counter);
      return {
        exclusive: service.exclusive,
        take: (tx, orgId) => service.take(tx, orgId, name),
        release: (tx, orgId) => service.release(tx, orgId, name),
      };
    },

    daily: (name) => ({
      exclusive: service.exclusive,
      take: (tx, orgId) => service.take(tx, orgId, name),
    }),

    async take(tx, orgId, name) {
      const now = clock.now();
      const spec = QUOTAS[name];
      if (spec.kind === 'per_day') {
        const limit = (await repo.findOverride(tx, orgId, name)) ?? spec.default;
        const period = (await periodOf(tx, orgId, name, now))!;
        if (limit > 0 && (await repo.takePeriodUse(tx, orgId, name, period.key, limit))) return;
        const used = await repo.periodUsed(tx, orgId, name, period.key);
        throw quotaExceeded(name, limit, used, period.resetsAt, now);
      }
      const fresh = new Date(now.getTime() - RECOUNT_AFTER_MS);
      if (await repo.takeCounted(tx, orgId, name, spec.default, fresh)) return;
      // No counter, a stale one, or one at the limit: recount the rows, with the counter locked so that no
      // create of another process comes in between. At the limit this runs on every refused try (rare, and
      // it is what lets a key that expired, or a counter that drifted high, free its slot).
      await repo.lockCounter(tx, orgId, name);
      const limit = (await repo.findOverride(tx, orgId, name)) ?? spec.default;
      const used = await count(name as CountQuotaName, tx, orgId, now);
      if (used >= limit) throw quotaExceeded(name, limit, used);
      await repo.setCounter(tx, orgId, name, used + 1, now);
    },

    release: (tx, orgId, name) => repo.releaseCounted(tx, orgId, name),

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
        // No lock: a take reads the limit in its own statement, so one running now uses the old limit or the
        // new one, as if it had come just before or just after this change (ADR 0025).
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
  return service;
}
