import type { CreateServerInput, UpdateServerInput } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { JobErrorView, JobKind, JobRunner, JobView } from '../../platform/jobs/index.ts';
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

/** Why a discovery ended without result: the server's connection changed while it waited or ran (ADR 0039). */
function supersededBy(change: 'connection'): JobErrorView {
  return {
    code: 'superseded',
    message: `The server's ${change} changed, so this discovery (of the old one) was stopped and a new one started.`,
    guidance:
      'Nothing to do: the newer discovery, named in the reply to the change (`discoveryJob`), tries the new one.',
    retryable: false,
  };
}

export function createDiscoveryService(deps: DiscoveryDeps) {
  const { db, kind } = deps;

  /**
   * One discovery at a time per server (ADR 0004): returns the job already queued or running when it can
   * still make progress, else creates one (taking the quota) in the caller's transaction. With `supersede`,
   * the unfinished one (about a connection that no longer is) is ended and a new one created (ADR 0039).
   */
  async function request(
    tx: Tx,
    actor: Actor,
    serverId: string,
    opts: { force: boolean; supersede?: JobErrorView },
  ): Promise<JobView> {
    const { job, created, superseded } = await deps.jobs.request(tx, kind, {
      orgId: actor.orgId,
      subjectType: 'server',
      subjectId: serverId,
      params: { force: opts.force },
      requestedBy: `${actor.type}:${actor.id}`,
      beforeCreate: () => deps.quota.take(tx, actor.orgId),
      supersede: opts.supersede,
    });
    if (created) {
      await recordChange(tx, actor, {
        action: 'discovery.requested',
        target: { type: 'server', id: serverId },
        data: {
          jobId: job.id,
          force: opts.force,
          ...(opts.supersede === undefined ? {} : { reason: 'connection_changed' }),
          ...(superseded === undefined ? {} : { superseded: superseded.id }),
        },
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
    /**
     * `PATCH /v1/servers/{id}`: the change and, when it touched the connection (URL, transport, credentials) of
     * a server with `autoDiscover`, a new discovery in the same transaction, ending one still about the old
     * connection (issue 10 point 6). Other changes queue nothing (`discoveryJob: null`).
     */
    async updateAndRediscover(actor: Actor, serverId: string, input: UpdateServerInput) {
      const run = () =>
        deps.registry.update(actor, serverId, input, (tx, s) =>
          s.autoDiscover && s.connectionChanged
            ? request(tx, actor, s.id, { force: false, supersede: supersededBy('connection') })
            : Promise.resolve(null),
        );
      // Only a change that may queue a discovery (and take its quota) needs the org's turn (ADR 0025).
      const mayDiscover =
        input.url !== undefined || input.transport !== undefined || input.auth !== undefined;
      const { server, also } = mayDiscover ? await deps.quota.exclusive(actor.orgId, run) : await run();
      return { server, discoveryJob: also };
    },
    async requestNow(actor: Actor, serverId: string, opts: { force: boolean }): Promise<JobView> {
      return deps.quota.exclusive(actor.orgId, () =>
        withTenant(db, actor.orgId, async (tx) => {
          await deps.registry.requireServerRow(tx, actor.orgId, serverId);
          return request(tx, actor, serverId, opts);
        }),
      );
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
