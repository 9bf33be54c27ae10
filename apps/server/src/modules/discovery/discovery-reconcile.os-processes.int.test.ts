/**
 * Issue 8, point 13: a job whose queue message is gone must not block its server forever. The queue can end a
 * message without our handler ever seeing it (it dead-letters a delivery that expired on its last try); here a
 * plain pg-boss worker in the test does exactly that through pg-boss's own API. The row is then reconciled:
 * by a request for the same server (which gets a new job instead of the dead one), or, with no request at all,
 * by a worker process consuming the dead-letter queue. A real second OS process runs the jobs.
 */
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type ServerProcess, startServerProcess } from '../../../test/server-process.ts';
import { DISCOVERY_QUEUE } from './discovery-job.ts';

const EGRESS = { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' };
let t: TestApp;
let gate: RunningGate;
let worker: ServerProcess | undefined;

beforeAll(async () => {
  // This process only answers the API: nothing here runs, reaps or reconciles jobs.
  t = await startTestApp({ env: { ...EGRESS, SPRINTCONNECT_ROLE: 'api' } });
  gate = await startGate();
});
afterAll(async () => {
  await worker?.stop();
  await t.stop();
  await gate.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
const job = async (id: string) => (await api('GET', `/v1/jobs/${id}`)).json();

async function register(name: string): Promise<{ serverId: string; jobId: string }> {
  const res = await api('POST', '/v1/servers', { name, url: `${gate.origin}/${name}` });
  expect(res.statusCode).toBe(201);
  return { serverId: res.json().id, jobId: res.json().discoveryJob.id };
}

/**
 * What the queue does to a message whose retries are spent: fail it and copy it to the dead-letter queue, here
 * through pg-boss's own worker API (`deadletter`), with `whileClaimed` run as the delivery is held.
 */
async function deadLetter(jobId: string, whileClaimed: () => Promise<void> = async () => {}) {
  const boss = new PgBoss({
    connectionString: t.database.adminUrl,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  let done!: () => void;
  const handled = new Promise<void>((r) => {
    done = r;
  });
  await boss.work<{ jobId?: string }>(
    DISCOVERY_QUEUE,
    { perJobResults: true, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      const results = [];
      for (const j of jobs) {
        if (j.data.jobId !== jobId) {
          results.push({ id: j.id, status: 'failed' as const });
          continue;
        }
        await whileClaimed();
        results.push({ id: j.id, status: 'deadletter' as const });
        done();
      }
      return results;
    },
  );
  await handled;
  await boss.stop({ graceful: true, timeout: 5000 });
  const dead = await t.database.adminPool.query(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'jobId' = $2",
    [`${DISCOVERY_QUEUE}__dead`, jobId],
  );
  expect(dead.rows[0].n).toBe(1);
}

describe('jobs whose queue message is gone are reconciled (issue 8, point 13)', () => {
  it('a request for a server whose running job was dead-lettered on its last attempt gets a new job; the dead one is failed with a clear error', async () => {
    const { serverId, jobId } = await register('interrupted');
    // The last attempt had started (row running, attempt 3 of 3) when its process died; the queue then gave up.
    await deadLetter(jobId, async () => {
      await t.database.adminPool.query(
        "UPDATE jobs SET state = 'running', attempts = max_attempts, started_at = now() WHERE id = $1",
        [jobId],
      );
    });
    expect((await job(jobId)).state).toBe('running');

    const res = await api('POST', `/v1/servers/${serverId}/discover`, {});
    expect(res.statusCode).toBe(202);
    expect(res.json().id).not.toBe(jobId);
    expect(res.json().state).toBe('queued');

    const dead = await job(jobId);
    expect(dead).toMatchObject({ state: 'failed', estimatedCompletionAt: null, nextAttemptAt: null });
    expect(dead.error).toMatchObject({ code: 'worker_lost', retryable: true });
    expect(dead.error.message).toMatch(/attempt 3 of 3 stopped renewing its lease.*last attempt/);
    expect(dead.finishedAt).not.toBeNull();
    const server = (await api('GET', `/v1/servers/${serverId}`)).json();
    expect(server.status).toBe('discovery_failed');
    expect(server.lastError.code).toBe('worker_lost');
  });

  it('a waiting job whose message was dead-lettered is failed by a worker process with no request, and the next request runs', async () => {
    const { serverId, jobId } = await register('undelivered');
    await deadLetter(jobId);
    expect((await job(jobId)).state).toBe('queued');

    worker = await startServerProcess(t.database.adminUrl, { ...EGRESS, SPRINTCONNECT_ROLE: 'worker' });
    const lost = await eventually(
      async () => {
        const j = await job(jobId);
        return j.state === 'queued' ? undefined : j;
      },
      20_000,
      'the dead-lettered job to be reconciled',
    );
    expect(lost.state).toBe('failed');
    expect(lost.error).toMatchObject({ code: 'delivery_lost', retryable: true });
    expect(lost.error.message).toMatch(/no longer holds a delivery/);

    const next = (await api('POST', `/v1/servers/${serverId}/discover`, {})).json();
    expect(next.id).not.toBe(jobId);
    const done = await eventually(
      async () => {
        const j = await job(next.id);
        return j.state === 'succeeded' || j.state === 'failed' ? j : undefined;
      },
      20_000,
      'the new job to finish',
    );
    expect(done.state).toBe('succeeded');
  });
});
