import type { FastifyInstance } from 'fastify';
import type { ScheduledJob } from '../../platform/jobs/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import { registerIdempotency } from './idempotency.hooks.ts';
import {
  createIdempotencyStore,
  IDEMPOTENCY_PURGE_JOB,
  type IdempotencyStore,
} from './idempotency.service.ts';

export interface IdempotencyModule {
  readonly name: 'idempotency';
  readonly store: IdempotencyStore;
  /** `Idempotency-Key` on POST routes under /v1: claimed before the route, answered from a sealed record. */
  readonly hooks: { readonly install: (app: FastifyInstance) => void };
  readonly schedules: readonly ScheduledJob[];
}

/** Safe retries (ADR 0026): answers kept 24 h per org and caller, sealed like secrets. */
export function createIdempotencyModule(
  deps: Pick<Platform, 'db' | 'clock' | 'keys'> & { tenancy: TenancyModule },
): IdempotencyModule {
  const store = createIdempotencyStore({
    db: deps.db,
    secrets: deps.tenancy.secrets,
    clock: deps.clock,
    fingerprintKey: deps.keys('idempotency-fingerprint'),
  });
  return {
    name: 'idempotency',
    store,
    hooks: { install: (app) => registerIdempotency(app, store) },
    schedules: [
      {
        name: IDEMPOTENCY_PURGE_JOB,
        cron: '17 * * * *',
        description: 'Delete Idempotency-Key records older than 24 hours, in every organization (ADR 0026).',
        run: () => store.purgeExpired(),
      },
    ],
  };
}
