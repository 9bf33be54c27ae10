import { type JobWithMetadata, PgBoss } from 'pg-boss';

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
  /**
   * The most messages of one group (an org: `send`'s `groupId`) this process works on at once. pg-boss leaves
   * groups at their cap out of its fetches, so a tenant at its cap never holds a worker another tenant could use.
   */
  perGroup?: number;
}

export interface QueuedJob<T> {
  id: string;
  data: T;
  retryCount: number;
  retryLimit: number;
  signal: AbortSignal;
  /** Dead-letter queues only: the id of the message that was dead-lettered. */
  sourceId: string | null;
}

/**
 * How a handler settles its message. `completed` ends it; `deadletter` fails it for good and copies it to the
 * queue's dead-letter queue (a job whose retries are spent). A handler that throws fails the message, and
 * pg-boss retries it with backoff up to the queue's `retryLimit`.
 */
export type Settlement = 'completed' | 'deadletter';

/** Whether a message may still be delivered: `pending` (created, retry or active), `ended`, or `missing`. */
export type MessageState = 'pending' | 'ended' | 'missing';

type SqlExecutor = (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>;

export interface JobQueue {
  ensure(def: QueueDef): Promise<void>;
  /** Enqueue inside the caller's transaction (`executeSql` runs on it), so the job commits with the change. */
  send<T extends object>(
    queue: string,
    data: T,
    opts: {
      singletonKey?: string;
      /** The message id (a UUID), when the caller records it before sending. */
      id?: string;
      /** Counted against the queue's `perGroup` cap (the org the job belongs to). */
      groupId?: string;
      /** Not before this many seconds from now (a deferred retry). */
      startAfterSeconds?: number;
      executeSql: SqlExecutor;
    },
  ): Promise<string | null>;
  work<T>(
    queue: string,
    /** Resolving `'deadletter'` dead-letters the message; anything else completes it. */
    handler: (job: QueuedJob<T>) => Promise<Settlement | unknown>,
  ): Promise<void>;
  /** Whether message `id` of `queue` may still be delivered (read on the caller's transaction when given). */
  messageState(queue: string, id: string, executeSql?: SqlExecutor): Promise<MessageState>;
  /** The same for messages sent before ids were recorded, found by their payload. */
  messageStateByData(queue: string, data: object, executeSql?: SqlExecutor): Promise<MessageState>;
  /**
   * Sends a job to `queue` on a cron schedule (UTC). The schedule is stored in Postgres; processes started with
   * `supervise` evaluate it and pg-boss sends each occurrence once, however many of them run. `catchUp` sends one
   * job for occurrences missed while no process was running (for idempotent scans that must not skip a day).
   */
  schedule(queue: string, cron: string, opts?: { catchUp?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export const deadLetterOf = (queue: string): string => `${queue}__dead`;

const PENDING = new Set(['created', 'retry', 'active']);
const stateOf = (messages: readonly { state: string }[]): MessageState =>
  messages.some((m) => PENDING.has(m.state)) ? 'pending' : 'ended';

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
        ...(o.id === undefined ? {} : { id: o.id }),
        ...(o.groupId === undefined ? {} : { group: { id: o.groupId } }),
        ...(o.singletonKey === undefined ? {} : { singletonKey: o.singletonKey }),
        ...(o.startAfterSeconds === undefined ? {} : { startAfter: o.startAfterSeconds }),
      });
    },
    async work(queue, handler) {
      const def = defs.get(queue);
      const concurrency = def?.concurrency ?? 1;
      await boss.work<object>(
        queue,
        {
          includeMetadata: true,
          batchSize: 1,
          perJobResults: true,
          localConcurrency: concurrency,
          ...(def?.perGroup === undefined ? {} : { localGroupConcurrency: def.perGroup }),
          // NOTIFY wakes workers for new jobs, but a retry coming due sends none: poll for those too. Many
          // slots poll less often each, so a process's idle polling stays near a few queries a second.
          pollingIntervalSeconds: concurrency > 4 ? 2 : 1,
          notifyPollingIntervalSeconds: concurrency > 4 ? 2 : 1,
        },
        async ([fetched]) => {
          if (fetched === undefined) return [];
          const job = fetched as JobWithMetadata<object>;
          const settled = await handler({
            id: job.id,
            data: job.data as never,
            retryCount: job.retryCount,
            retryLimit: job.retryLimit,
            signal: job.signal,
            sourceId: job.sourceId ?? null,
          });
          return [{ id: job.id, status: settled === 'deadletter' ? 'deadletter' : 'completed' }];
        },
      );
    },
    async messageState(queue, id, executeSql) {
      const found = await boss.getJobById(queue, id, executeSql === undefined ? {} : { db: { executeSql } });
      return found === null ? 'missing' : stateOf([found]);
    },
    async messageStateByData(queue, data, executeSql) {
      const found = await boss.findJobs(queue, {
        data,
        ...(executeSql === undefined ? {} : { db: { executeSql } }),
      });
      return found.length === 0 ? 'missing' : stateOf(found);
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
