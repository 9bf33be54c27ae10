/**
 * Issue 8, point 20: a job running when its process crashes must not show `running` (with an estimate in the
 * past) until the queue's two-minute expiry. Its lease lapses within seconds of the last heartbeat, and the next
 * process to start releases it: retried (or failed, on its last attempt) with the reason, and a completion
 * estimate that is not in the past. Real OS processes, killed with SIGKILL, on one PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';
import { withTenant } from '../../platform/db/index.ts';

const WORKER = { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_ROLE: 'worker' };
let t: TestApp;
let gate: RunningGate;
const processes: ServerProcess[] = [];

beforeAll(async () => {
  // This process only answers the API; the jobs run in the worker processes started below.
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_ROLE: 'api' } });
  gate = await startGate();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await t.stop();
  await gate.close();
});

const getJob = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.auth })).json();

describe('a job whose worker crashed (issue 8, point 20)', () => {
  it('is released within seconds by the next process to start, retried with the reason, its estimate never in the past', async () => {
    gate.answer('hang');
    const first = await startServerProcess(t.database.adminUrl, WORKER);
    processes.push(first);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'crash', url: gate.url },
    });
    expect(res.statusCode).toBe(201);
    const jobId = res.json().discoveryJob.id;
    await eventually(
      async () => (gate.hanging() > 0 ? true : undefined),
      20_000,
      'the attempt to reach the server',
    );
    expect(await getJob(jobId)).toMatchObject({ state: 'running', attempts: 1 });

    await first.kill('SIGKILL');
    gate.answer('pass');
    processes.push(await startServerProcess(t.database.adminUrl, WORKER));

    // Released: no longer running attempt 1. Seen within 20 s, where the queue alone would take 120 s.
    const released = await eventually(
      async () => {
        const j = await getJob(jobId);
        return j.state === 'running' && j.attempts === 1 ? undefined : { job: j, at: Date.now() };
      },
      20_000,
      'the crashed attempt to be released',
    );
    // The retry waits its backoff (at least a second), so the waiting job is seen as it is.
    const waiting = released.job;
    expect(waiting.state).toBe('retrying');
    expect(waiting.error).toMatchObject({ code: 'worker_lost', retryable: true });
    expect(waiting.error.message).toMatch(/attempt 1 of 3 stopped renewing its lease.*retried/);
    expect(Date.parse(waiting.nextAttemptAt)).toBeGreaterThan(released.at - 1000);
    expect(Date.parse(waiting.estimatedCompletionAt)).toBeGreaterThanOrEqual(released.at);

    const done = await eventually(
      async () => {
        const j = await getJob(jobId);
        return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
      },
      30_000,
      'the retry to finish',
    );
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, error: null, estimatedCompletionAt: null });

    // The job's history says what happened: attempt 1 lost with its worker, attempt 2 succeeded after it.
    const runs = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('job_runs')
        .select(['attempt', 'outcome', 'error_code', 'started_at', 'ended_at', 'runner'])
        .where('job_id', '=', jobId)
        .orderBy('started_at')
        .execute(),
    );
    expect(runs.map((r) => [r.attempt, r.outcome, r.error_code])).toEqual([
      [1, 'lost', 'worker_lost'],
      [2, 'succeeded', null],
    ]);
    expect(runs[0]!.runner).not.toBe(runs[1]!.runner);
    expect(runs[1]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[0]!.ended_at!.getTime());
  });
});
