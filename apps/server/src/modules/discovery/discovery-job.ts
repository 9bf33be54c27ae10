/**
 * Discovery as a job kind (ADR 0004, ADR 0024): what one attempt does, and what discovery adds when a job
 * starts, fails or succeeds. Leases, retries, slot caps and reconciliation come from the job runner.
 */
import type { Clock } from '../../kernel/index.ts';
import type { AttemptOutcome, JobErrorView, JobKind } from '../../platform/jobs/index.ts';
import { recordChange } from '../audit/index.ts';
import type { RegistryService, ServerConnection } from '../registry/index.ts';
import { type CapabilityIndexer, type CapabilityObserver, storeSnapshot } from './discovery-store.ts';
import type { DiscoveryFailure, DiscoveryTimeouts } from './mcp/index.ts';
import { discoverServer } from './mcp/index.ts';
import type { DiscoveryFailureLog } from './shown-failure.ts';
import { reportFailure } from './shown-failure.ts';

export const DISCOVERY_QUEUE = 'discovery';
export const DISCOVERY_KIND = 'discovery';
const MAX_ATTEMPTS = 3;

export interface DiscoveryJobDeps {
  registry: RegistryService;
  /** The org's egress fetch: the platform policy, the org's rules and its outbound rate limit (ADR 0014). */
  fetchFor: (orgId: string) => typeof fetch;
  /** The same policy's verdict on a URL without connecting (a redirect target the client did not follow). */
  checkUrl?:
    | ((orgId: string, url: string) => Promise<{ ok: true } | { ok: false; code: string; detail: string }>)
    | undefined;
  index: CapabilityIndexer;
  /** Reactions of other modules to a new capability version, in its transaction (ADR 0044). */
  observers?: readonly CapabilityObserver[] | undefined;
  clock: Clock;
  timeouts?: Partial<DiscoveryTimeouts> | undefined;
  /** Where each failed attempt's precise cause goes (the server log). */
  logFailure: (entry: DiscoveryFailureLog) => void;
}

const errorOf = (f: DiscoveryFailure): JobErrorView => ({
  code: f.code,
  message: f.message,
  guidance: f.guidance,
  retryable: f.retryable,
});

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

export function discoveryJobKind(deps: DiscoveryJobDeps): JobKind<ServerConnection> {
  return {
    kind: DISCOVERY_KIND,
    queue: DISCOVERY_QUEUE,
    retry: {
      maxAttempts: MAX_ATTEMPTS,
      baseDelaySeconds: 2,
      maxDelaySeconds: 60,
      // An upstream asking for more than 15 minutes is down for maintenance, not briefly busy.
      maxRetryAfterSeconds: 900,
    },
    // An org over its own outbound rate limit waits for the next window (ADR 0014); past 20 windows it is
    // starved, and the job fails rather than queue forever.
    maxDeferrals: 20,
    // The whole discovery budget (60 s by default) plus storing: a delivery running past this is abandoned.
    timeoutSeconds: 120,

    async prepare(tx, job) {
      const conn = await deps.registry.connectionFor(tx, job.org_id, job.subject_id);
      if (conn === undefined) {
        return {
          cancel: {
            code: 'server_deleted',
            message: 'The server was deleted.',
            guidance: '',
            retryable: false,
          },
        };
      }
      const host = hostOf(conn.url);
      return host === undefined ? { input: conn } : { input: conn, host };
    },

    async started(tx, job) {
      await deps.registry.setDiscoveryState(tx, job.org_id, job.subject_id, { status: 'discovering' });
    },

    async run(ctx): Promise<AttemptOutcome> {
      const { job, input: conn } = ctx;
      const force = (job.params as { force?: unknown } | null)?.force === true;
      let progressChain: Promise<void> = Promise.resolve();
      const result = await discoverServer({
        url: conn.url,
        transport: conn.transport,
        headers: conn.headers,
        fetch: deps.fetchFor(job.org_id),
        ...(deps.checkUrl === undefined
          ? {}
          : { checkUrl: (url: string) => deps.checkUrl!(job.org_id, url) }),
        timeouts: deps.timeouts,
        signal: ctx.signal,
        onProgress: (p) => {
          // The client's stages plus our own final "store" stage; the ETA extrapolates the elapsed time. Before
          // the first stage is done there is nothing to extrapolate: the job keeps the estimate from recent runs.
          const total = p.total + 1;
          const now = deps.clock.now().getTime();
          const elapsed = now - ctx.startedAt.getTime();
          const eta = p.done > 0 ? new Date(now + (elapsed * (total - p.done)) / p.done) : undefined;
          // Serialised so a slow update cannot overwrite a later one.
          progressChain = progressChain
            .then(() => ctx.progress({ stage: p.stage, done: p.done, total, eta }))
            .catch(() => undefined);
        },
      });
      await progressChain;
      if (result.ok) {
        return {
          type: 'succeeded',
          stage: 'store',
          commit: (tx) =>
            storeSnapshot(
              tx,
              deps,
              { orgId: job.org_id, jobId: job.id, serverId: job.subject_id, force },
              result.snapshot,
            ),
        };
      }
      const f = result.failure;
      if (f.code === 'rate_limited') {
        return {
          type: 'deferred',
          error: errorOf(f),
          afterSeconds: Math.min(120, Math.max(1, f.retryAfterSeconds ?? 30)),
        };
      }
      // The tenant sees `unreachable` for a failure before any answer; the precise cause is logged (ADR 0027).
      const { shown, log } = reportFailure(f, {
        orgId: job.org_id,
        serverId: job.subject_id,
        jobId: job.id,
        attempt: ctx.attempt,
      });
      deps.logFailure(log);
      return { type: 'failed', error: shown, retryAfterSeconds: f.retryAfterSeconds };
    },

    async failed(tx, job, error) {
      await deps.registry.setDiscoveryState(tx, job.org_id, job.subject_id, {
        status: 'discovery_failed',
        lastError: error,
      });
      await recordChange(
        tx,
        { type: 'system', id: 'discovery', orgId: job.org_id },
        {
          action: 'discovery.failed',
          target: { type: 'server', id: job.subject_id },
          data: { jobId: job.id, code: error.code, attempts: job.attempts },
        },
      );
    },
  };
}

export { MAX_ATTEMPTS as DISCOVERY_MAX_ATTEMPTS };
