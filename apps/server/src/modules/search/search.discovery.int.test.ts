import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { type RunningMutableServer, startMutable } from '../../../test/mcp-servers/mutable.ts';

/** Through the front door: a real MCP server, registered and discovered, then found by capability. */
let t: TestApp;
let mcp: RunningMutableServer;

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    discoveryTimeouts: { connectMs: 1500, listMs: 1500, totalMs: 5000 },
  });
  mcp = await startMutable([
    {
      name: 'get_current_weather',
      description: 'Current conditions for a city',
      inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
    { name: 'listCalendarEvents', description: 'Events in a date range', inputSchema: { type: 'object' } },
  ]);
});
afterAll(async () => {
  await t?.stop();
  await mcp?.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });

async function discovered(jobId: string) {
  const job = await eventually(
    async () => {
      const j = (await get(`/v1/jobs/${jobId}`)).json();
      return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    },
    30_000,
    `job ${jobId}`,
  );
  expect(job.state).toBe('succeeded');
  return job;
}

describe('search over discovered servers', () => {
  let serverId: string;

  it('finds the tools of a discovered server, with their input schema and version', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { name: 'weather-and-calendar', url: mcp.url, environment: 'production', tags: ['public'] },
    });
    expect(res.statusCode).toBe(201);
    serverId = res.json().id;
    await discovered(res.json().discoveryJob.id);

    const body = (await get('/v1/discovery/servers?capability=weather,calendar&tags=public')).json();
    expect(body.total).toBe(1);
    expect(body.items[0].server.id).toBe(serverId);
    expect(body.items[0].matches).toEqual([
      expect.objectContaining({
        term: 'weather',
        name: 'get_current_weather',
        version: 1,
        definition: expect.objectContaining({
          inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        }),
      }),
      expect.objectContaining({ term: 'calendar', name: 'listCalendarEvents', version: 1 }),
    ]);
  });

  it("finds what the server's latest version offers, and no longer what it dropped", async () => {
    mcp.setTools([
      { name: 'get_weather_forecast', description: 'Forecast', inputSchema: { type: 'object' } },
    ]);
    const job = (
      await t.app.inject({ method: 'POST', url: `/v1/servers/${serverId}/discover`, headers: t.auth })
    ).json();
    expect((await discovered(job.id)).result).toMatchObject({ version: 2, changed: true });

    expect((await get('/v1/discovery/servers?capability=calendar')).json().total).toBe(0);
    const body = (await get('/v1/discovery/servers?capability=weathr&fuzzy=true')).json();
    expect(body.items.map((i: { server: { id: string } }) => i.server.id)).toEqual([serverId]);
    expect(body.items[0].matches).toEqual([
      expect.objectContaining({ name: 'get_weather_forecast', version: 2 }),
    ]);
  });
});
