import type pg from 'pg';
import { type Logger, pino } from 'pino';
import type { Clock } from '../kernel/index.ts';
import { deriveKey, type KeyPurpose } from './crypto/index.ts';
import { type DatabaseHandle, type Db, grantSchemaAccess } from './db/index.ts';
import { createEgress, type Egress } from './egress/index.ts';
import {
  createJobRunner,
  type JobQueue,
  type JobRunner,
  type LeaseTiming,
  type SlotCaps,
  startJobQueue,
} from './jobs/index.ts';
import { createMetrics, type Metrics } from './metrics/index.ts';
import {
  type AttemptLimiter,
  createAttemptLimiter,
  createLeaseLimiter,
  type LeaseLimiter,
  postgresCounterStore,
} from './ratelimit/index.ts';

/**
 * What the composition root builds once and hands to every module factory (ADR 0028): infrastructure with no
 * domain knowledge. A factory names the parts it uses (`Pick<Platform, 'db' | 'clock'>`), so what a module
 * depends on is in its signature.
 */
export interface Platform {
  readonly clock: Clock;
  /** Runtime queries: the non-owner role, subject to RLS. */
  readonly db: Db;
  /** The runtime role's connection string, for LISTEN connections (cache invalidation across processes). */
  readonly listenUrl: string;
  /** The runtime role's pool, for counters shared by all processes (rate limits). */
  readonly counterPool: pg.Pool;
  /** A purpose-bound subkey of the master key (HKDF): each module derives its own. */
  keys(purpose: KeyPurpose): Buffer;
  /** Outbound HTTP under the platform egress policy (addresses, ports). */
  readonly egress: Egress;
  readonly metrics: Metrics;
  readonly queue: JobQueue;
  /** Leases, retries, slot caps and reconciliation for every job kind (ADR 0024). */
  readonly jobs: JobRunner;
  /** A limit per minute shared by all processes (counters in Postgres, spent in slices). */
  perMinute(limit: number, keyPrefix: string): LeaseLimiter;
  /** Failures per minute shared by all processes (each failure spends one; a success gives it back). */
  failuresPerMinute(limit: number, keyPrefix: string): AttemptLimiter;
  /** Where work outside requests logs (jobs, timers): the same stream and format as the app's lines. */
  readonly log: Logger;
  /** Which roles this process runs (`sprintconnect start --role`). */
  readonly roles: { readonly api: boolean; readonly worker: boolean; readonly scheduler: boolean };
}

export interface PlatformOptions {
  readonly database: DatabaseHandle;
  readonly masterKey: Buffer;
  readonly clock: Clock;
  readonly roles: Platform['roles'];
  /** `SPRINTCONNECT_EGRESS_ALLOW`, `SPRINTCONNECT_EGRESS_PORTS`. */
  readonly egress: Parameters<typeof createEgress>[0];
  readonly logLevel: string;
  /** Tests only: where log lines go (default stdout). */
  readonly logStream?: { write(line: string): void } | undefined;
  /** Background job slots per process, per org and per host; job lease TTL and heartbeat (ADR 0024). */
  readonly jobSlots?: Partial<SlotCaps> | undefined;
  readonly jobLease?: Partial<LeaseTiming> | undefined;
}

/** What only the composition root does with the platform: stop it, in two steps around the modules' own. */
export interface PlatformControl {
  /** Running attempts hand their jobs back before the queue stops delivering. */
  stopJobs(): Promise<void>;
  /** Last: outbound connections. */
  close(): Promise<void>;
}

/** Builds the platform once per composed app. */
export async function createPlatform(o: PlatformOptions): Promise<Platform & PlatformControl> {
  const { database, clock } = o;
  // Work outside requests logs here, to the app's stream in the same format.
  const log = pino({ level: o.logLevel }, o.logStream ?? process.stdout);
  // Limits shared by all processes: counters in Postgres, spent in slices without a trip per request.
  const store = (limit: number, keyPrefix: string) =>
    postgresCounterStore({ pool: database.appPool, points: limit, windowSeconds: 60, keyPrefix });
  const queue = await startJobQueue({
    connectionString: database.adminUrl,
    supervise: o.roles.worker || o.roles.scheduler,
    onError: () => undefined,
  });
  await grantSchemaAccess(database.adminPool, 'pgboss');
  const jobs = createJobRunner({
    ...{ db: database.db, queue, clock, slots: o.jobSlots, lease: o.jobLease },
    onError: (err, where) => log.error({ err, where }, 'job runner error'),
  });
  const egress = createEgress(o.egress);
  return {
    ...{ clock, db: database.db, listenUrl: database.appUrl, counterPool: database.appPool },
    ...{ egress, metrics: createMetrics(), queue, jobs, log, roles: o.roles },
    keys: (purpose) => deriveKey(o.masterKey, purpose),
    perMinute: (limit, p) => createLeaseLimiter({ limit, windowSeconds: 60, store: store(limit, p) }),
    failuresPerMinute: (limit, p) =>
      createAttemptLimiter({ limit, windowSeconds: 60, store: store(limit, p) }),
    async stopJobs() {
      await jobs.stop();
      await queue.stop();
    },
    close: () => egress.close(),
  };
}
