import type { Actor, Clock } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { JobRunner, JobView } from '../../platform/jobs/index.ts';
import { toJobView } from '../../platform/jobs/index.ts';
import { recordChange } from '../audit/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { discoveryJobKind } from './discovery-job.ts';
import type { CapabilityIndexer } from './discovery-store.ts';
import type { DiscoveryTimeouts } from './mcp/index.ts';
import type { DiscoveryFailureLog } from './shown-failure.ts';

/**
 * The `discoveries_per_day` quota (modules/quotas, wired by main.ts): taken in the transaction that queues a
 * new discovery (not when an active one is returned); throws quota_exceeded at the limit. A transaction that
 * may take it runs inside `exclusive`, the org's turn (ADR 0025), unless its caller's already does.
 */
export interface DiscoveryQuota {
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  take(tx: Tx, orgId: string): Promise<void>;
}

export interface DiscoveryDeps {
  db: Db;
  /** Runs discovery jobs: leases, retries, slot caps, reconciliation (ADR 0024). */
  jobs: JobRunner;
  registry: RegistryService;
  /** The org's egress fetch: the platform policy, the org's rules and its outbound rate limit (ADR 0014). */
  fetchFor: (orgId: string) => typeof fetch;
  /** The same policy's verdict on a URL without connecting (a redirect target the client did not follow). */
  checkUrl?: (
    orgId: string,
    url: string,
  ) => Promise<{ ok: true } | { ok: false; code: string; detail: string }>;
  index: CapabilityIndexer;
  clock: Clock;
  timeouts?: Partial<DiscoveryTimeouts>;
  quota: DiscoveryQuota;
  /** Where each failed attempt's precise cause goes (the server log). */
  logFailure: (entry: DiscoveryFailureLog) => void;
}

export function createDiscoveryService(deps: DiscoveryDeps) {
  const { db } = deps;
  const kind = discoveryJobKind(deps);
  deps.jobs.register(kind);

  /**
   * One discovery at a time per server (ADR 0004): returns the job already queued or running when it can
   * still make progress, else creates one (taking the quota) in the caller's transaction.
   */
  async function request(tx: Tx, actor: Actor, serverId: string, opts: { force: boolean }): Promise<JobView> {
    const { job, created } = await deps.jobs.request(tx, kind, {
      orgId: actor.orgId,
      subjectType: 'server',
      subjectId: serverId,
      params: { force: opts.force },
      requestedBy: `${actor.type}:${actor.id}`,
      beforeCreate: () => deps.quota.take(tx, actor.orgId),
    });
    if (created) {
      await recordChange(tx, actor, {
        action: 'discovery.requested',
        target: { type: 'server', id: serverId },
        data: { jobId: job.id, force: opts.force },
      });
    }
    return toJobView(job);
  }

  return {
    request,
    async requestNow(actor: Actor, serverId: string, opts: { force: boolean }): Promise<JobView> {
      return deps.quota.exclusive(actor.orgId, () =>
        withTenant(db, actor.orgId, async (tx) => {
          if ((await deps.registry.findServerRow(tx, actor.orgId, serverId)) === undefined) {
            throw new AppError('server_not_found', `No server ${serverId} in this organization.`);
          }
          return request(tx, actor, serverId, opts);
        }),
      );
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
