import type { CreateServerInput } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { JobKind, JobRunner, JobView } from '../../platform/jobs/index.ts';
import { toJobView } from '../../platform/jobs/index.ts';
import { recordChange } from '../audit/index.ts';
import type { RegistryService, ServerConnection } from '../registry/index.ts';

/**
 * The `discoveries_per_day` quota (modules/quotas): taken in the transaction that queues a new discovery (not
 * when an active one is returned); throws quota_exceeded at the limit. A transaction that may take it runs
 * inside `exclusive`, the org's turn (ADR 0025), unless its caller's already does.
 */
export interface DiscoveryQuota {
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  take(tx: Tx, orgId: string): Promise<void>;
}

export interface DiscoveryDeps {
  db: Db;
  /** Runs discovery jobs: leases, retries, slot caps, reconciliation (ADR 0024). */
  jobs: JobRunner;
  /** Discovery as a job kind (discovery-job.ts), registered with the runner by the composition root. */
  kind: JobKind<ServerConnection>;
  registry: RegistryService;
  quota: DiscoveryQuota;
}

export function createDiscoveryService(deps: DiscoveryDeps) {
  const { db, kind } = deps;

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
    /**
     * `POST /v1/servers`: registration and its first discovery in one transaction (unless `autoDiscover` is
     * false). The use case is discovery's, the higher module: the registry never calls discovery (issue 9
     * point 1).
     */
    async registerAndDiscover(actor: Actor, input: CreateServerInput) {
      const { server, also } = await deps.registry.register(actor, input, (tx, s) =>
        s.autoDiscover ? request(tx, actor, s.id, { force: false }) : Promise.resolve(null),
      );
      return { server, discoveryJob: also };
    },
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
