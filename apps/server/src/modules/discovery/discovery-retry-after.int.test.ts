/**
 * Issue 8, point 18: an upstream answering 429 with Retry-After is retried, no sooner than Retry-After, and the
 * job succeeds once the upstream recovers. The behaviour is asserted on what the upstream saw (when the 429 went
 * out, when the next request came) and on what the job records (its runs, its next attempt time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { withTenant } from '../../platform/db/index.ts';

const RETRY_AFTER_S = 6;
let t: TestApp;
let gate: RunningGate;

beforeAll(async () => {
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  gate = await startGate();
});
afterAll(async () => {
  await t.stop();
  await gate.close();
});

const getJob = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.auth })).json();

describe('an upstream that answers 429 with Retry-After (issue 8, point 18)', () => {
  it('retries the discovery no sooner than Retry-After, shows when, and succeeds once the upstream recovers', async () => {
    // The first request is refused with 429; the upstream recovers after that.
    gate.answer((n) =>
      n === 0
        ? {
            status: 429,
            headers: { 'retry-after': String(RETRY_AFTER_S), 'content-type': 'application/json' },
          }
        : 'pass',
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'busy-upstream', url: gate.url },
    });
    expect(res.statusCode).toBe(201);
    const jobId = res.json().discoveryJob.id;

    const waiting = await eventually(
      async () => {
        const j = await getJob(jobId);
        return j.state === 'retrying' ? j : undefined;
      },
      10_000,
      'the job to wait for its retry',
    );
    const refusedAt = gate.log[0]!.at;
    expect(gate.log[0]!.answer).toBe(429);
    expect(waiting.attempts).toBe(1);
    expect(waiting.error).toMatchObject({ code: 'upstream_rate_limited', retryable: true });
    expect(waiting.error.message).toContain(`retry after ${RETRY_AFTER_S} s`);
    expect(Date.parse(waiting.nextAttemptAt)).toBeGreaterThanOrEqual(refusedAt + RETRY_AFTER_S * 1000 - 50);
    expect(Date.parse(waiting.estimatedCompletionAt)).toBeGreaterThanOrEqual(
      Date.parse(waiting.nextAttemptAt),
    );

    const done = await eventually(
      async () => {
        const j = await getJob(jobId);
        return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
      },
      20_000,
      'the job to finish',
    );
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, error: null, nextAttemptAt: null });

    // What the upstream saw: nothing between the 429 and Retry-After seconds later.
    const next = gate.log[1]!;
    expect(next.at - refusedAt).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
    // What the job recorded: the first run ended in a retry for the 429, the second started after the wait.
    const runs = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('job_runs')
        .select(['attempt', 'outcome', 'error_code', 'started_at', 'ended_at'])
        .where('job_id', '=', jobId)
        .orderBy('started_at')
        .execute(),
    );
    expect(runs.map((r) => [r.attempt, r.outcome, r.error_code])).toEqual([
      [1, 'retry', 'upstream_rate_limited'],
      [2, 'succeeded', null],
    ]);
    expect(runs[1]!.started_at.getTime()).toBeGreaterThanOrEqual(refusedAt + RETRY_AFTER_S * 1000 - 50);
  });
});
