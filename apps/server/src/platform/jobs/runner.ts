/**
 * The job runner: what every job kind gets for free (ADR 0024). Leases with a heartbeat, so a crashed run is
 * released within seconds and two runs of one job never overlap; retries with backoff that respect an
 * upstream's Retry-After; many cheap slots per process with a cap per org and per host; and reconciliation of
 * `jobs` rows with the queue (lapsed leases, dead letters, messages that are gone).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../kernel/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { withTenant } from '../db/index.ts';
import { deliver } from './attempt.ts';
import type { JobKind, JobMessage } from './job-kind.ts';
import { createLeaseKeeper, DEFAULT_LEASE, type LeaseTiming } from './lease-keeper.ts';
import { heartbeat } from './leases.repo.ts';
import { deadLetterOf, type JobQueue, type QueuedJob } from './queue.ts';
import { reconcileRow, sweep } from './reconcile.ts';
import { type JobRequest, requestJob } from './request-job.ts';
import type { RunnerCore } from './runner-core.ts';
import { createHostGate, resolveSlotCaps, type SlotCaps } from './slots.ts';

export interface JobRunnerOptions {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  slots?: Partial<SlotCaps> | undefined;
  lease?: Partial<LeaseTiming> | undefined;
  /** How often a working process sweeps for lapsed leases and lost deliveries. */
  sweepMs?: number | undefined;
  onError?: (error: unknown, where: string) => void;
}

export interface JobRunner {
  readonly runnerId: string;
  readonly slots: SlotCaps;
  /** Before `start`. */
  register<I>(kind: JobKind<I>): void;
  /** The live job of `kind` on a subject, or a new one (see request-job.ts). */
  request<I>(tx: Tx, kind: JobKind<I>, r: JobRequest): ReturnType<typeof requestJob>;
  /** Creates the queues; with `work`, runs attempts, heartbeats and the reconciler in this process. */
  start(opts: { work: boolean }): Promise<void>;
  /** Hands running attempts' jobs back (uncounted) and stops; call before the queue stops. */
  stop(): Promise<void>;
  /** One reconciliation pass now (it also runs every `sweepMs`). */
  sweep(): Promise<{ reaped: number; lost: number }>;
}

/** Deliveries that fail for an infrastructure reason (the database away) are tried again this often. */
const DELIVERY_RETRIES = 3;
const STOP_WAIT_MS = 5000;

export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const slots = resolveSlotCaps(opts.slots);
  const lease: LeaseTiming = { ...DEFAULT_LEASE, ...opts.lease };
  const runnerId = randomUUID();
  const onError = opts.onError ?? (() => undefined);
  const shutdown = new AbortController();
  const kinds = new Map<string, JobKind<unknown>>();
  const keeper = createLeaseKeeper({
    extend: (ttlMs) => heartbeat(opts.db, runnerId, ttlMs),
    timing: lease,
    onError: (e) => onError(e, 'job heartbeat'),
  });
  const core: RunnerCore = {
    db: opts.db,
    queue: opts.queue,
    clock: opts.clock,
    runnerId,
    lease,
    keeper,
    hosts: createHostGate(slots.perHost),
    kinds,
    shutdown: shutdown.signal,
    onError,
  };
  const inflight = new Set<Promise<unknown>>();
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<{ reaped: number; lost: number }> | undefined;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  };
  const sweepOnce = () => {
    sweeping ??= sweep(core).finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };
  /** A dead letter says the queue gave up on a message: the job it carried may now be lost. */
  const onDeadLetter = async (msg: QueuedJob<JobMessage>) => {
    const { orgId, jobId } = (msg.data ?? {}) as Partial<JobMessage>;
    if (typeof orgId !== 'string' || typeof jobId !== 'string' || msg.sourceId === null) return 'completed';
    const sourceId = msg.sourceId;
    await withTenant(opts.db, orgId, (tx) => reconcileRow(core, tx, orgId, jobId, sourceId));
    return 'completed' as const;
  };

  return {
    runnerId,
    slots,
    register(kind) {
      if (kinds.has(kind.kind)) throw new Error(`job kind ${kind.kind} is registered twice`);
      kinds.set(kind.kind, kind as JobKind<unknown>);
    },
    request: (tx, kind, r) => requestJob(core, tx, kind as JobKind<unknown>, r),
    async start({ work }) {
      for (const kind of kinds.values()) {
        await opts.queue.ensure({
          name: kind.queue,
          retryLimit: DELIVERY_RETRIES,
          retryDelaySeconds: 5,
          expireInSeconds: kind.timeoutSeconds,
          concurrency: slots.perProcess,
          perGroup: slots.perOrg,
        });
        if (!work) continue;
        await opts.queue.work<JobMessage>(kind.queue, (msg) => track(deliver(core, kind, msg)));
        await opts.queue.work<JobMessage>(deadLetterOf(kind.queue), (msg) => track(onDeadLetter(msg)));
      }
      if (!work) return;
      keeper.start();
      // Jobs a crashed predecessor left running are released as soon as their leases lapse.
      void sweepOnce().catch((e) => onError(e, 'job reconciler'));
      sweeper = setInterval(
        () => void sweepOnce().catch((e) => onError(e, 'job reconciler')),
        opts.sweepMs ?? 2000,
      );
      sweeper.unref();
    },
    async stop() {
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
      shutdown.abort(new Error('SprintConnect is stopping'));
      await Promise.race([
        Promise.allSettled([...inflight, ...(sweeping ? [sweeping] : [])]),
        new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref()),
      ]);
      keeper.stop();
    },
    sweep: sweepOnce,
  };
}
