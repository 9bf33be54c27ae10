import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.ts';
import { startEverything } from '../../../apps/server/test/mcp-servers/everything.ts';
import { closedPortUrl } from '../../../apps/server/test/mcp-servers/loopback.ts';
import { cli } from './testing/cli-process.ts';

describe('sprintconnect CLI against a running server', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Loopback MCP URLs are refused unless allowlisted; the failing-discovery case needs one.
    t = await startTestApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no TCP address');
    env = { SPRINTCONNECT_URL: `http://127.0.0.1:${addr.port}`, SPRINTCONNECT_API_KEY: t.adminKey };
  });

  afterAll(async () => {
    await t?.stop();
  });

  let serverId: string;

  it('servers register --json prints exactly the API response', async () => {
    const args = ['servers', 'register', '--name', 'cli-weather', '--url', 'http://127.0.0.1:8081/mcp'];
    const r = await cli(
      [...args, '--tag', 'weather', '--environment', 'staging', '--no-auto-discover', '--json'],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({
      name: 'cli-weather',
      url: 'http://127.0.0.1:8081/mcp',
      environment: 'staging',
      tags: ['weather'],
      autoDiscover: false,
      status: 'pending_discovery',
      discoveryJob: null,
    });
    serverId = body.id;
  });

  it('servers list --json returns the page with the registered server', async () => {
    const r = await cli(['servers', 'list', '--json', '--environment', 'staging'], env);
    expect(r.code).toBe(0);
    const page = JSON.parse(r.stdout);
    expect(page.items.map((s: { id: string }) => s.id)).toContain(serverId);
    expect(page).toHaveProperty('nextCursor');
  });

  it('servers list without --json prints a table', async () => {
    const r = await cli(['servers', 'list'], env);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+ENVIRONMENT\s+STATUS/);
    expect(rows.some((l) => l.startsWith(serverId) && l.includes('cli-weather'))).toBe(true);
  });

  it('servers show prints the server; with --json the API body', async () => {
    const human = await cli(['servers', 'show', serverId], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^ID\\s+${serverId}$`, 'm'));
    expect(human.stdout).toMatch(/^Status\s+pending_discovery$/m);

    const json = await cli(['servers', 'show', serverId, '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: serverId, name: 'cli-weather' });
  });

  it('a bad API key exits 1 with the 401 problem on stderr and nothing on stdout', async () => {
    const r = await cli(['servers', 'list', '--json'], {
      ...env,
      SPRINTCONNECT_API_KEY: 'sck_not_a_real_key',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .+: .+/);
    expect(r.stderr).toContain('hint: check SPRINTCONNECT_API_KEY');
  });

  it('a usage error exits 2 without calling the server', async () => {
    const r = await cli(['servers', 'list', '--limit', 'many'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: option '--limit <n>' argument 'many' is invalid");
  });

  it('register --wait on a server that refuses connections shows the failure with guidance and exits 1', async () => {
    // A freed ephemeral port. Not 127.0.0.1:1: egress refuses the "bad port" 1 at registration.
    const url = await closedPortUrl();
    const host = new URL(url).host;
    const r = await cli(
      ['servers', 'register', '--name', 'cli-refused', '--url', url, '--wait', '--timeout', '50'],
      env,
    );
    expect(r.code).toBe(1);
    // stderr is a pipe here: one line per stage change instead of a redrawn bar.
    expect(r.stderr).toMatch(/^discovery: /m);
    // Refused, reset or silent look alike to the tenant (ADR 0027): the exact cause is in the server log.
    expect(r.stderr).toMatch(/^error: discovery failed: unreachable: Could not connect to the server\.$/m);
    expect(r.stderr).toContain('guidance: SprintConnect could not connect to the server');
    expect(r.stderr).not.toContain(host);
    expect(r.stdout).toMatch(/^registered cli-refused \(/);
  }, 60_000);

  it('register --wait on a working MCP server prints the counts; show and search then find its tools', async () => {
    const mcp = await startEverything('streamable-http');
    try {
      const r = await cli(
        ['servers', 'register', '--name', 'cli-everything', '--url', mcp.url, '--wait'],
        env,
      );
      expect(r.stderr).toMatch(/^discovery: succeeded$/m);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^discovered capability version 1: \d+ tools?, \d+ resources?, \d+ resource templates?, \d+ prompts?$/m,
      );
      const id = /^registered cli-everything \(([0-9a-f-]{36})\)$/m.exec(r.stdout)?.[1];
      expect(id).toBeDefined();

      const show = await cli(['servers', 'show', id!], env);
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^Status\s+active$/m);
      expect(show.stdout).toMatch(/^Capabilities \(version 1\): /m);
      expect(show.stdout).toMatch(/^tool\s+echo\b/m);

      const found = await cli(['search', 'echo', '--json'], env);
      expect(found.code).toBe(0);
      const ids = JSON.parse(found.stdout).items.map((i: { server: { id: string } }) => i.server.id);
      expect(ids).toContain(id);
    } finally {
      await mcp.close();
    }
  }, 60_000);
});
