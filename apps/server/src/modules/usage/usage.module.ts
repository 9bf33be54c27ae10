import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { deleteUsageRecordsBefore } from './usage.repo.ts';
import { usageRoutes } from './usage.routes.ts';
import { createUsageReader, type UsageReader } from './usage.service.ts';
import { createUsageRecorder, type UsageRecorder, type UsageRecorderOptions } from './usage-recorder.ts';

export interface UsageModule {
  readonly name: 'usage';
  /** The gateway's after-call hook: `recorder.record(r)` buffers, never waits (ADR 0042). */
  readonly recorder: UsageRecorder;
  readonly reader: UsageReader;
  /** `/v1/usage`, `/v1/usage/summary`. */
  readonly routes: readonly FastifyPluginAsync[];
  /**
   * Deletes records older than the retention (SPRINTCONNECT_USAGE_RETENTION_DAYS) in every org; returns how
   * many. No schedule calls it yet (ADR 0042: the retention jobs come with a later issue).
   */
  purgeRecords(): Promise<{ deleted: number; before: Date }>;
  /** Writes the buffered records (compose's stop, before the database goes). */
  close(): Promise<void>;
}

/** Usage records of gateway calls (issue 11 point 8, ADR 0042): recorded in batches, listed and summed. */
export function createUsageModule(
  deps: Pick<Platform, 'db' | 'clock' | 'metrics' | 'log'> & {
    config: Pick<Config, 'usageRetentionDays'>;
    /** Tests: the recorder's flush interval, batch size and bound. */
    options?: { usageRecorder?: UsageRecorderOptions | undefined } | undefined;
  },
): UsageModule {
  const { db, clock } = deps;
  const recorder = createUsageRecorder(
    {
      db,
      metrics: deps.metrics,
      onError: (e) =>
        deps.log.warn({ err: e }, 'usage records: a batch was not written (kept for the retry)'),
    },
    deps.options?.usageRecorder,
  );
  const reader = createUsageReader({ db });
  return {
    name: 'usage',
    recorder,
    reader,
    routes: [usageRoutes(reader)],
    async purgeRecords() {
      const before = new Date(clock.now().getTime() - deps.config.usageRetentionDays * 86_400_000);
      return { deleted: await deleteUsageRecordsBefore(db, before), before };
    },
    close: () => recorder.close(),
  };
}
