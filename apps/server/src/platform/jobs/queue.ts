import { PgBoss } from 'pg-boss';

/**
 * Thin wrapper over pg-boss (at-least-once delivery, SKIP LOCKED claims, retries with exponential backoff,
 * dead-letter queues). Handlers must be idempotent; our own job records (job-records.ts) carry what users see.
 */
export interface QueueDef {
  name: string;
  retryLimit: number;
  retryDelaySeconds: number;
  /** A crashed worker's job is retried after this, instead of pg-boss's 15-minute default. */
  expireInSeconds: number;
  /** Workers of this process per queue. */
  concurrency: number;
}

export interface QueuedJob<T> {
  id: string;
  data: T;
  retryCount: number;
  retryLimit: number;
  signal: AbortSignal;
}

export interface JobQueue {
  ensure(def: QueueDef): Promise<void>;
  /** Enqueue inside the caller's transaction (`executeSql` runs on it), so the job commits with the change. */
  send<T extends object>(
    queue: string,
    data: T,
    opts: {
      singletonKey?: string;
      /** Not before this many seconds from now (a deferred retry). */
      startAfterSeconds?: number;
      executeSql: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>;
    },
  ): Promise<string | null>;
  work<T>(queue: string, handler: (job: QueuedJob<T>) => Promise<void>): Promise<void>;
  /**
   * Sends a job to `queue` on a cron schedule (UTC). The schedule is stored in Postgres; processes started with
   * `supervise` evaluate it and pg-boss sends each occurrence once, however many of them run. `catchUp` sends one
   * job for occurrences missed while no process was running (for idempotent scans that must not skip a day).
   */
  schedule(queue: string, cron: string, opts?: { catchUp?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export const deadLetterOf = (queue: string): string => `${queue}__dead`;

export async function startJobQueue(opts: {
  connectionString: string;
  onError?: (e: Error) => void;
  /** Workers and maintenance run only in roles that process jobs. */
  supervise: boolean;
}): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: opts.connectionString,
    schema: 'pgboss',
    max: 4,
    supervise: opts.supervise,
    schedule: opts.supervise,
    useListenNotify: true,
  });
  boss.on('error', (e: Error) => opts.onError?.(e));
  await boss.start();
  const defs = new Map<string, QueueDef>();

  return {
    async ensure(def) {
      defs.set(def.name, def);
      const dead = deadLetterOf(def.name);
      if (!(await boss.getQueue(dead))) await boss.createQueue(dead, { retryLimit: 0 });
      const options = {
        retryLimit: def.retryLimit,
        retryDelay: def.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: def.expireInSeconds,
        deadLetter: dead,
        notify: true,
      } as const;
      if (await boss.getQueue(def.name)) await boss.updateQueue(def.name, options);
      else await boss.createQueue(def.name, { ...options, policy: 'standard' });
    },
    send(queue, data, o) {
      const db = { executeSql: o.executeSql };
      return boss.send(queue, data, {
        db,
        ...(o.singletonKey === undefined ? {} : { singletonKey: o.singletonKey }),
        ...(o.startAfterSeconds === undefined ? {} : { startAfter: o.startAfterSeconds }),
      });
    },
    async work(queue, handler) {
      const def = defs.get(queue);
      await boss.work<object>(
        queue,
        {
          includeMetadata: true,
          batchSize: 1,
          localConcurrency: def?.concurrency ?? 1,
          pollingIntervalSeconds: 1,
          // NOTIFY wakes workers for new jobs, but a retry coming due sends none: poll for those too.
          notifyPollingIntervalSeconds: 1,
        },
        async ([job]) => {
          if (job === undefined) return;
          await handler({
            id: job.id,
            data: job.data as never,
            retryCount: job.retryCount,
            retryLimit: (job as unknown as { retryLimit: number }).retryLimit,
            signal: job.signal,
          });
        },
      );
    },
    async schedule(queue, cron, o) {
      await boss.schedule(queue, cron, null, { tz: 'UTC', missed: o?.catchUp === true ? 'once' : 'skip' });
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

/** Creates or upgrades the queue's schema (run by the owner at start and for the test template). */
export async function installQueueSchema(connectionString: string): Promise<void> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 1, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.stop({ graceful: false, timeout: 1000 });
}
