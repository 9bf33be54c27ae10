import { type Static, Type } from '@sinclair/typebox';
import { DateTime, StringEnum, Uuid } from './common.ts';

export const JobSchema = Type.Object(
  {
    id: Uuid,
    kind: Type.String(),
    state: StringEnum(['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled']),
    subject: Type.Object({ type: Type.String(), id: Uuid }),
    stage: Type.Union([Type.String(), Type.Null()]),
    progress: Type.Object({ done: Type.Integer(), total: Type.Integer(), percent: Type.Number() }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    error: Type.Union([
      Type.Object({
        code: Type.String(),
        message: Type.String(),
        guidance: Type.String(),
        retryable: Type.Boolean(),
      }),
      Type.Null(),
    ]),
    result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    createdAt: DateTime,
    startedAt: Type.Union([DateTime, Type.Null()]),
    finishedAt: Type.Union([DateTime, Type.Null()]),
    estimatedCompletionAt: Type.Union([DateTime, Type.Null()]),
    nextAttemptAt: Type.Union([DateTime, Type.Null()], {
      description:
        'A waiting job: its next attempt starts no sooner than this (backoff, or an upstream Retry-After).',
    }),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'Job', title: 'Job' },
);
export type Job = Static<typeof JobSchema>;
