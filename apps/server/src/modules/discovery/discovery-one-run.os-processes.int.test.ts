/**
 * Issue 8, point 21: one discovery per server, across processes. Two processes on one PostgreSQL (this one and
 * a real `sprintconnect start` OS process), both answering the API and both running jobs. Each round sends 10
 * concurrent discover requests for one server, split between them, while the queue also delivers the job a
 * second time (pg-boss delivers at least once; the duplicate is injected so that it certainly happens). Every
 * round must give one job id, and no two runs may ever overlap: neither as the server saw them (requests in
 * flight at once) nor as the job runs recorded them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';
import { withTenant } from '../../platform/db/index.ts';
import { DISCOVERY_QUEUE } from './discovery-job.ts';

const EGRESS = { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' };
const ROUNDS = 5;
let t: TestApp;
let other: ServerProcess;
let gate: RunningGate;

beforeAll(async () => {
  t = await startTestApp({ env: EGRESS });
  other = await startServerProcess(t.database.adminUrl, EGRESS);
  gate = await startGate();
  // Each request takes a while, so a second run, if one started, would certainly overlap the first.
  gate.setDelay(250);
});
afterAll(async () => {
  await other.stop();
  await t.stop();
  await gate.close();
});

async function discoverHere(serverId: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/servers/${serverId}/discover`,
    headers: t.auth,
  });
  expect(res.statusCode).toBe(202);
  return res.json().id;
}

async function discoverThere(serverId: string): Promise<string> {
  const res = await fetch(`${other.url}/v1/servers/${serverId}/discover`, {
    method: 'POST',
    headers: { ...t.auth, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** A second delivery of the job's message, as pg-boss may make after an expiry. */
async function deliverAgain(jobId: string): Promise<void> {
  await t.sc.platform.queue.send(
    DISCOVERY_QUEUE,
    { orgId: t.orgId, jobId },
    { executeSql: (text, values) => t.database.adminPool.query(text, values as unknown[]) },
  );
}

describe('one discovery per server across processes (issue 8, point 21)', () => {
  it('10 concurrent requests through two processes, repeated, give one job per round and never two overlapping runs', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'one-at-a-time', url: gate.url, autoDiscover: false },
    });
    expect(res.statusCode).toBe(201);
    const serverId = res.json().id;
    const jobIds: string[] = [];

    for (let round = 0; round < ROUNDS; round += 1) {
      const before = gate.log.length;
      const ids = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0 ? discoverHere(serverId) : discoverThere(serverId),
        ),
      );
      expect(new Set(ids).size).toBe(1);
      const jobId = ids[0]!;
      jobIds.push(jobId);
      // While the run talks to the server, the queue delivers the same job again, twice.
      await eventually(async () => (gate.log.length > before ? true : undefined), 20_000, 'the run to start');
      await deliverAgain(jobId);
      await deliverAgain(jobId);
      const done = await eventually(
        async () => {
          const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.auth })).json();
          return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
        },
        20_000,
        `round ${round}'s job to finish`,
      );
      // Give the duplicate deliveries time to be fetched (and dropped) before the next round.
      await new Promise((r) => setTimeout(r, 1500));
      // The server never saw two requests at once: one run at a time, each run's requests one by one.
      expect(gate.maxInFlight()).toBe(1);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 1 });
    }

    expect(new Set(jobIds).size).toBe(ROUNDS);
    // One recorded run per job, none overlapping another.
    const runs = await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .selectFrom('job_runs')
        .select(['job_id', 'started_at', 'ended_at', 'outcome'])
        .where('job_id', 'in', jobIds)
        .orderBy('started_at')
        .execute(),
    );
    expect(runs.map((r) => r.outcome)).toEqual(Array(ROUNDS).fill('succeeded'));
    expect(new Set(runs.map((r) => r.job_id)).size).toBe(ROUNDS);
    for (let i = 1; i < runs.length; i += 1) {
      expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.ended_at!.getTime());
    }
  });
});
