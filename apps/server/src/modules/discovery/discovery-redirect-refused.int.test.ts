import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type LoopbackHttpServer, listenLoopback } from '../../../test/mcp-servers/loopback.ts';

/**
 * Attack of issue 8's fixes, M2: an MCP URL that redirects to a port outside SPRINTCONNECT_EGRESS_PORTS (here
 * 6379) was reported as `unknown` ("could not classify") and tried three times. The egress policy refuses the
 * hop, and discovery reports that refusal: `egress_blocked`, naming the rule, not retried.
 */
let t: TestApp;
let redirector: LoopbackHttpServer;

beforeAll(async () => {
  redirector = await listenLoopback((_req, res) => {
    res.statusCode = 307;
    res.setHeader('location', 'http://127.0.0.1:6379/mcp');
    res.end();
  });
  t = await startTestApp({
    env: {
      SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32',
      SPRINTCONNECT_EGRESS_PORTS: `80,443,${redirector.port}`,
    },
    discoveryTimeouts: { connectMs: 1500, listMs: 1500, totalMs: 5000 },
  });
});
afterAll(async () => {
  await t.stop();
  await redirector.close();
});

describe('a discovery redirected to a port the policy refuses', () => {
  it('fails once with egress_blocked naming SPRINTCONNECT_EGRESS_PORTS, not retryable', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'redirects-to-6379', url: `${redirector.origin}/mcp` },
    });
    expect(res.statusCode, res.body).toBe(201);
    const jobId = res.json().discoveryJob.id as string;
    const job = await eventually(
      async () => {
        const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.auth })).json();
        return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
      },
      45_000,
      'the discovery job',
    );
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatchObject({ code: 'egress_blocked', retryable: false });
    expect(job.error.message).toContain('egress_redirect_blocked');
    expect(job.error.message).toContain('port 6379 is not in SPRINTCONNECT_EGRESS_PORTS');
  });
});
