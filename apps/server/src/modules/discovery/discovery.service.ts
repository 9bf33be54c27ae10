import type { Actor, Clock } from '../../kernel/index.ts';
import { AppError, uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { sqlExecutorFor, withTenant } from '../../platform/db/index.ts';
import type { JobQueue, JobView, QueuedJob } from '../../platform/jobs/index.ts';
import {
  findActiveJob,
  findJob,
  insertJob,
  recentMeanDurationMs,
  toJobView,
  updateJob,
} from '../../platform/jobs/index.ts';
import { recordChange } from '../audit/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { observeCapabilities } from '../trust/index.ts';
import { insertVersion, latestVersion } from './capability-versions.repo.ts';
import type {
  CapabilitySnapshot,
  DiscoveryFailure,
  DiscoveryProgress,
  DiscoveryTimeouts,
} from './mcp/index.ts';
import { discoverServer, snapshotHash } from './mcp/index.ts';
import type { DiscoveryFailureLog, ShownFailure } from './shown-failure.ts';
import { reportFailure } from './shown-failure.ts';
import { countsOf, toIndexItems } from './snapshot-items.ts';

export const DISCOVERY_QUEUE = 'discovery';
export const DISCOVERY_KIND = 'discovery';
const MAX_ATTEMPTS = 3;
/**
 * Runs put off because the org's outbound rate limit was reached (ADR 0014). They do not count as attempts: the
 * server did nothing wrong. Past this many the job fails, so a starved org does not queue work forever.
 */
const MAX_DEFERRALS = 20;
/** The client's five stages (connect, tools, resources, resourceTemplates, prompts) and our store. */
const STAGES = 6;

export interface DiscoveryJobData {
  orgId: string;
  jobId: string;
  serverId: string;
  force: boolean;
  /** How many times this run was put off by the org's outbound rate limit. */
  deferrals?: number;
}

/** The search module's indexer, injected so discovery does not depend on search's internals. */
export type CapabilityIndexer = (
  tx: Tx,
  args: { orgId: string; serverId: string; versionId: string; items: ReturnType<typeof toIndexItems> },
) => Promise<void>;

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
  queue: JobQueue;
  registry: RegistryService;
  /** The org's egress fetch: the platform policy, the org's rules and its outbound rate limit (ADR 0014). */
  fetchFor: (orgId: string) => typeof fetch;
  index: CapabilityIndexer;
  clock: Clock;
  timeouts?: Partial<DiscoveryTimeouts>;
  quota: DiscoveryQuota;
  /** Where each failed attempt's precise cause goes (the server log). */
  logFailure: (entry: DiscoveryFailureLog) => void;
}

export function createDiscoveryService(deps: DiscoveryDeps) {
  const { db, clock } = deps;

  async function request(tx: Tx, actor: Actor, serverId: string, opts: { force: boolean }): Promise<JobView> {
    const active = await findActiveJob(tx, actor.orgId, DISCOVERY_KIND, serverId);
    if (active !== undefined) return toJobView(active);
    await deps.quota.take(tx, actor.orgId);
    const jobId = uuidv7();
    const inserted = await insertJob(tx, {
      orgId: actor.orgId,
      id: jobId,
      kind: DISCOVERY_KIND,
      subjectType: 'server',
      subjectId: serverId,
      maxAttempts: MAX_ATTEMPTS,
      params: { force: opts.force },
      requestedBy: `${actor.type}:${actor.id}`,
    });
    if (!inserted) return toJobView((await findActiveJob(tx, actor.orgId, DISCOVERY_KIND, serverId))!);
    const data: DiscoveryJobData = { orgId: actor.orgId, jobId, serverId, force: opts.force };
    await deps.queue.send(DISCOVERY_QUEUE, data, { executeSql: sqlExecutorFor(tx) });
    await recordChange(tx, actor, {
      action: 'discovery.requested',
      target: { type: 'server', id: serverId },
      data: { jobId, force: opts.force },
    });
    return toJobView((await findJob(tx, actor.orgId, jobId))!);
  }

  /** Progress from the client's stages, plus our own final "store" stage; ETA extrapolates elapsed time. */
  async function progress(orgId: string, jobId: string, startedAt: Date, p: DiscoveryProgress) {
    const total = p.total + 1;
    const elapsed = clock.now().getTime() - startedAt.getTime();
    const eta = p.done > 0 ? new Date(clock.now().getTime() + (elapsed * (total - p.done)) / p.done) : null;
    await withTenant(db, orgId, (tx) =>
      updateJob(tx, orgId, jobId, {
        stage: p.stage,
        progress_done: p.done,
        progress_total: total,
        estimated_completion_at: eta,
      }),
    );
  }

  async function fail(data: DiscoveryJobData, failure: ShownFailure, final: boolean, attempt: number) {
    const error = {
      code: failure.code,
      message: failure.message,
      guidance: failure.guidance,
      retryable: failure.retryable,
    };
    await withTenant(db, data.orgId, async (tx) => {
      await updateJob(tx, data.orgId, data.jobId, {
        state: final ? 'failed' : 'retrying',
        error: JSON.stringify(error),
        attempts: attempt,
        ...(final && { finished_at: clock.now(), estimated_completion_at: null }),
      });
      if (final) {
        await deps.registry.setDiscoveryState(tx, data.orgId, data.serverId, {
          status: 'discovery_failed',
          lastError: error,
        });
        await recordChange(
          tx,
          { type: 'system', id: 'discovery', orgId: data.orgId },
          {
            action: 'discovery.failed',
            target: { type: 'server', id: data.serverId },
            data: { jobId: data.jobId, code: failure.code, attempts: attempt },
          },
        );
      }
    });
  }

  async function store(data: DiscoveryJobData, snapshot: CapabilitySnapshot, attempt: number) {
    const hash = snapshotHash(snapshot);
    const now = clock.now();
    await withTenant(db, data.orgId, async (tx) => {
      const prev = await latestVersion(tx, data.orgId, data.serverId);
      const changed = prev === undefined || prev.content_hash !== hash;
      let versionId = prev?.id;
      let version = prev?.version ?? 0;
      if (changed) {
        versionId = uuidv7(now.getTime());
        version += 1;
        await insertVersion(tx, {
          orgId: data.orgId,
          id: versionId,
          serverId: data.serverId,
          version,
          contentHash: hash,
          protocolVersion: snapshot.protocolVersion,
          snapshot,
          counts: countsOf(snapshot),
          discoveredAt: now,
        });
      }
      if (changed || data.force) {
        await deps.index(tx, {
          orgId: data.orgId,
          serverId: data.serverId,
          versionId: versionId!,
          items: toIndexItems(snapshot),
        });
      }
      await deps.registry.setDiscoveryState(tx, data.orgId, data.serverId, {
        status: 'active',
        lastError: null,
        currentVersionId: versionId!,
        discoveredAt: now,
      });
      const result = {
        version,
        versionId: versionId!,
        changed,
        contentHash: hash,
        counts: countsOf(snapshot),
        protocolVersion: snapshot.protocolVersion,
      };
      await updateJob(tx, data.orgId, data.jobId, {
        state: 'succeeded',
        stage: 'store',
        progress_done: STAGES,
        progress_total: STAGES,
        attempts: attempt,
        error: null,
        result: JSON.stringify(result),
        finished_at: now,
        estimated_completion_at: null,
      });
      await recordChange(
        tx,
        { type: 'system', id: 'discovery', orgId: data.orgId },
        {
          action: changed ? 'capabilities.changed' : 'discovery.succeeded',
          target: { type: 'server', id: data.serverId },
          data: { jobId: data.jobId, version, previousVersion: prev?.version ?? null },
        },
      );
      // Signed manifests (ADR 0015): live capabilities that differ from the manifest mark the server drifted.
      await observeCapabilities(
        tx,
        { type: 'system', id: 'discovery', orgId: data.orgId },
        { serverId: data.serverId, capabilityVersion: version, contentHash: hash, live: snapshot },
      );
    });
  }

  /**
   * Over the org's outbound rate limit: the job waits (state `retrying`, the reason in `error`) and runs again
   * when the window resets, as a new queue message sent in the same transaction; this one completes.
   */
  async function defer(data: DiscoveryJobData, failure: DiscoveryFailure, attempt: number): Promise<void> {
    const delay = Math.min(120, Math.max(1, failure.retryAfterSeconds ?? 30));
    await withTenant(db, data.orgId, async (tx) => {
      await updateJob(tx, data.orgId, data.jobId, {
        state: 'retrying',
        attempts: attempt,
        error: JSON.stringify({
          code: failure.code,
          message: failure.message,
          guidance: failure.guidance,
          retryable: true,
        }),
      });
      const next: DiscoveryJobData = { ...data, deferrals: (data.deferrals ?? 0) + 1 };
      await deps.queue.send(DISCOVERY_QUEUE, next, {
        executeSql: sqlExecutorFor(tx),
        startAfterSeconds: delay,
      });
    });
  }

  /** The worker's handler. Retryable failures throw so pg-boss retries with backoff; the last one is final. */
  async function run(job: QueuedJob<DiscoveryJobData>): Promise<void> {
    const data = job.data;
    const attempt = job.retryCount + 1;
    const startedAt = clock.now();
    const conn = await withTenant(db, data.orgId, async (tx) => {
      const current = await findJob(tx, data.orgId, data.jobId);
      if (current === undefined || current.state === 'succeeded' || current.state === 'failed')
        return undefined;
      const c = await deps.registry.connectionFor(tx, data.orgId, data.serverId);
      if (c === undefined) {
        await updateJob(tx, data.orgId, data.jobId, {
          state: 'cancelled',
          finished_at: startedAt,
          error: JSON.stringify({
            code: 'server_deleted',
            message: 'The server was deleted.',
            guidance: '',
            retryable: false,
          }),
        });
        return undefined;
      }
      const mean = await recentMeanDurationMs(tx, data.orgId, DISCOVERY_KIND);
      await updateJob(tx, data.orgId, data.jobId, {
        state: 'running',
        attempts: attempt,
        started_at: startedAt,
        stage: 'connect',
        progress_done: 0,
        progress_total: STAGES,
        estimated_completion_at: new Date(startedAt.getTime() + (mean ?? 5000)),
      });
      await deps.registry.setDiscoveryState(tx, data.orgId, data.serverId, { status: 'discovering' });
      return c;
    });
    if (conn === undefined) return;
    let progressChain: Promise<void> = Promise.resolve();

    const result = await discoverServer({
      url: conn.url,
      transport: conn.transport,
      headers: conn.headers,
      fetch: deps.fetchFor(data.orgId),
      timeouts: deps.timeouts,
      signal: job.signal,
      onProgress: (p) => {
        // Serialised so a slow update cannot overwrite a later one.
        progressChain = progressChain
          .then(() => progress(data.orgId, data.jobId, startedAt, p))
          .catch(() => undefined);
      },
    });
    await progressChain;
    if (result.ok) return store(data, result.snapshot, attempt);
    if (result.failure.code === 'rate_limited' && (data.deferrals ?? 0) < MAX_DEFERRALS) {
      return defer(data, result.failure, attempt);
    }
    const { shown, log } = reportFailure(result.failure, { ...data, attempt });
    deps.logFailure(log);
    const final = !shown.retryable || attempt >= MAX_ATTEMPTS;
    await fail(data, shown, final, attempt);
    // Retryable failures go back to the queue: retried with backoff, and dead-lettered after the last try.
    // Failures another try cannot fix complete the queue job; the job record already says why.
    if (shown.retryable) throw new Error(`discovery attempt ${attempt} failed: ${shown.code}`);
  }

  return {
    request,
    run,
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
export { MAX_ATTEMPTS as DISCOVERY_MAX_ATTEMPTS };
