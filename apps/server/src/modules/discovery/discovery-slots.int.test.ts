/**
 * Issue 8, point 17: discovery waits on sockets, so a process runs many attempts at once, and caps per org and
 * per host keep one tenant's broken servers (or one slow upstream) from taking every slot. The caps here are
 * small so that a few real hanging servers fill them; the defaults are larger (DEFAULT_SLOT_CAPS). Completion,
 * not speed, is asserted: the other org's discoveries finish while the first org's are still hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningGate, startGate } from '../../../test/mcp-servers/gate.ts';
import { type RunningHangingServer, startHanging } from '../../../test/mcp-servers/hanging.ts';

const SLOTS = { perProcess: 8, perOrg: 3, perHost: 2 };
let t: TestApp;
const hanging: RunningHangingServer[] = [];
let good: RunningGate;

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    // Hanging servers hang for the whole file: no attempt ends on its own while the tests look.
    discoveryTimeouts: { connectMs: 55_000, listMs: 5_000, totalMs: 55_000 },
    jobSlots: SLOTS,
  });
  good = await startGate();
});
afterAll(async () => {
  await t.stop();
  await Promise.all([...hanging.map((h) => h.close()), good.close()]);
});

async function register(auth: { authorization: string }, name: string, url: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: auth,
    payload: { name, url },
  });
  expect(res.statusCode).toBe(201);
  return res.json().discoveryJob.id;
}

const stateOf = async (auth: { authorization: string }, id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth })).json().state as string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('discovery slots are shared fairly (issue 8, point 17)', () => {
  it('one upstream host never gets more discoveries at once than the per-host cap; the rest wait their turn', async () => {
    const org = await t.newOrg('one-host');
    const host = await startHanging();
    hanging.push(host);
    const ids: string[] = [];
    for (const path of ['a', 'b', 'c', 'd'])
      ids.push(await register(org.auth, `host-${path}`, `${host.url}/${path}`));
    await eventually(
      async () => (host.open() >= SLOTS.perHost ? true : undefined),
      15_000,
      'the host cap to fill',
    );
    // The org may run 3 at once, the host only 2: sample for a few seconds, during which parked attempts are
    // delivered again and again.
    let most = 0;
    for (let i = 0; i < 30; i += 1) {
      most = Math.max(most, host.open());
      await sleep(100);
    }
    expect(most).toBe(SLOTS.perHost);
    const states = await Promise.all(ids.map((id) => stateOf(org.auth, id)));
    expect(states.filter((s) => s === 'running')).toHaveLength(SLOTS.perHost);
    expect(states.filter((s) => s === 'queued')).toHaveLength(ids.length - SLOTS.perHost);
  });

  it("an org's hanging servers fill only its own share: another org's discoveries all complete while they hang", async () => {
    const stuck = await t.newOrg('stuck');
    const stuckJobs: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const h = await startHanging();
      hanging.push(h);
      stuckJobs.push(await register(stuck.auth, `hanging-${i}`, h.url));
    }
    const stuckHosts = hanging.slice(-6);
    const busy = () => stuckHosts.filter((h) => h.open() > 0).length;
    await eventually(
      async () => (busy() >= SLOTS.perOrg ? true : undefined),
      15_000,
      "the stuck org's cap to fill",
    );

    const other = await t.newOrg('healthy');
    const otherJobs: string[] = [];
    for (let i = 0; i < 4; i += 1)
      otherJobs.push(await register(other.auth, `good-${i}`, `${good.origin}/mcp${i}`));
    await eventually(
      async () => {
        const states = await Promise.all(otherJobs.map((id) => stateOf(other.auth, id)));
        return states.every((s) => s === 'succeeded') ? true : undefined;
      },
      30_000,
      "the healthy org's discoveries to succeed",
    );

    // Still hanging, and never more of them at once than the org's share.
    expect(busy()).toBe(SLOTS.perOrg);
    const stuckStates = await Promise.all(stuckJobs.map((id) => stateOf(stuck.auth, id)));
    expect(stuckStates.filter((s) => s === 'running')).toHaveLength(SLOTS.perOrg);
    expect(stuckStates.filter((s) => s === 'queued')).toHaveLength(stuckJobs.length - SLOTS.perOrg);
  });
});
