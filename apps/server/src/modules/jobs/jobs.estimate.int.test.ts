/**
 * Issue 10 point 9: a job's completion estimate (`estimatedCompletionAt`, what the CLI counts down) is there
 * while it runs and never falls into the past: set when the attempt starts, kept while the attempt has no
 * better guess (a first stage that hangs), pushed forward by the heartbeat once the run outlasts it, and gone
 * once the job is done. A test that accepted null passed with no estimate at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';

let t: TestApp;
let gate: RunningGate;

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    // The connect stage outlasts the first estimate (5 s without history), then fails and is retried.
    discoveryTimeouts: { connectMs: 10_000, listMs: 5_000, totalMs: 20_000 },
  });
  gate = await startGate();
});
afterAll(async () => {
  await t.stop();
  await gate.close();
});

const getJob = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.auth })).json();

describe('the completion estimate of a running job', () => {
  it('is set when the attempt starts, stays while a stage hangs, never falls into the past, and is cleared at the end', async () => {
    gate.answer('hang');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'slow', url: gate.url },
    });
    const jobId = res.json().discoveryJob.id as string;
    const running = await eventually(
      async () => {
        const j = await getJob(jobId);
        // Its first progress report (stage `connect`, nothing done yet) recorded, the request hanging.
        return j.state === 'running' && j.stage === 'connect' && gate.hanging() > 0 ? j : undefined;
      },
      20_000,
      'the attempt to report its first stage and hang in it',
    );
    expect(running.estimatedCompletionAt).not.toBeNull();
    const first = Date.parse(running.estimatedCompletionAt);
    expect(first).toBeGreaterThan(Date.parse(running.startedAt));

    // Past the first estimate, still running: the estimate moved forward rather than stay in the past.
    await eventually(
      async () => (Date.now() > first + 1500 ? true : undefined),
      15_000,
      'the estimate to pass',
    );
    const readAt = Date.now();
    const later = await getJob(jobId);
    expect(later).toMatchObject({ state: 'running', attempts: 1 });
    expect(Date.parse(later.estimatedCompletionAt)).toBeGreaterThanOrEqual(readAt);

    gate.answer('pass');
    const done = await eventually(
      async () => {
        const j = await getJob(jobId);
        return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
      },
      40_000,
      'the retry to finish',
    );
    expect(done).toMatchObject({ state: 'succeeded', estimatedCompletionAt: null });
  }, 60_000);
});
