/**
 * Issue 11 point 2, "names are stable across rediscovery", end to end: real MCP servers on 127.0.0.1 whose
 * tools change, discovered by the real discovery job; the virtual server's exposed names follow ADR 0041.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';

let t: TestApp;
let alpha: RunningMutableServer;
let beta: RunningMutableServer;
const tool = (name: string) => ({
  name,
  description: `${name} tool`,
  inputSchema: { type: 'object' as const },
});

beforeAll(async () => {
  t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  [alpha, beta] = await Promise.all([
    startMutable([tool('lookup'), tool('only_alpha')]),
    startMutable([tool('lookup'), tool('only_beta')]),
  ]);
});
afterAll(async () => {
  await t.stop();
  await Promise.all([alpha.close(), beta.close()]);
});

const call = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload }) });

async function discovered(jobId: string) {
  const job = await eventually(
    async () => {
      const j = (await call('GET', `/v1/jobs/${jobId}`)).json();
      return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    },
    30_000,
    `job ${jobId}`,
  );
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
}

async function register(name: string, url: string): Promise<string> {
  const res = await call('POST', '/v1/servers', { name, url });
  expect(res.statusCode, res.body).toBe(201);
  await discovered(res.json().discoveryJob.id);
  return res.json().id;
}

async function rediscover(id: string) {
  const res = await call('POST', `/v1/servers/${id}/discover`, { force: true });
  expect(res.statusCode, res.body).toBe(202);
  await discovered(res.json().id);
}

const exposed = async (id: string) =>
  (await call('GET', `/v1/virtual-servers/${id}`)).json().tools.map((x: { name: string }) => x.name);

describe('names across rediscovery (on-conflict)', () => {
  it('keep the prefixed name of a tool whose rival went away, and the plain name of one an earlier member now rivals', async () => {
    const a = await register('alpha', alpha.url);
    const b = await register('beta', beta.url);
    const res = await call('POST', '/v1/virtual-servers', {
      slug: 'stable',
      name: 'Stable',
      naming: 'on-conflict',
      members: [{ serverId: a }, { serverId: b }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    expect(await exposed(id)).toEqual(['lookup', 'only_alpha', 'beta__lookup', 'only_beta']);

    // alpha drops `lookup`: beta's keeps the name agents know it by.
    alpha.setTools([tool('only_alpha')]);
    await rediscover(a);
    expect(await exposed(id)).toEqual(['only_alpha', 'beta__lookup', 'only_beta']);

    // alpha gains `only_beta`, a name beta's tool holds unprefixed: the newcomer is prefixed instead.
    alpha.setTools([tool('only_alpha'), tool('only_beta')]);
    await rediscover(a);
    expect(await exposed(id)).toEqual(['only_alpha', 'alpha__only_beta', 'beta__lookup', 'only_beta']);
  });
});
