import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../apps/server/test/harness.ts';
import { type RunningEverything, startEverything } from '../../../apps/server/test/mcp-servers/everything.ts';
import { type CliServer, cli, startCliServer } from './testing/cli-process.ts';

/**
 * Issue 11 point 9: `sprintconnect mcp tools` and `mcp call` are an MCP client (SDK v2 through the SDK's
 * `connectGateway`), so they work against any Streamable HTTP endpoint at `<url>/mcp`: here the reference
 * server itself, over a real socket, from the real `sprintconnect` process.
 */
let everything: RunningEverything;
let sc: CliServer;
beforeAll(async () => {
  [everything, sc] = await Promise.all([startEverything('streamable-http'), startCliServer()]);
  const created = await sc.api('POST', '/v1/servers', { name: 'everything', url: everything.url });
  expect(created.status).toBe(201);
  await eventually(
    async () =>
      (await sc.api('GET', `/v1/servers/${created.body.id}`)).body.status === 'active' ? true : undefined,
    45_000,
    'discovery of everything',
  );
}, 120_000);
afterAll(async () => {
  await Promise.all([everything?.close(), sc?.stop()]);
});

const base = () => ({ PATH: process.env.PATH ?? '', HOME: '/nonexistent' });
const at = () => ['--url', `http://127.0.0.1:${everything.port}`, '--api-key', 'sck_test'];

describe('sprintconnect mcp (an MCP client on the command line)', () => {
  it('mcp tools lists the endpoint tools, as JSON with --json', async () => {
    const r = await cli([...at(), 'mcp', 'tools', '--json'], base());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names).toContain('get-sum');
  });

  it('mcp call passes the JSON arguments and prints the text result', async () => {
    const r = await cli([...at(), 'mcp', 'call', 'echo', '--args', '{"message":"through the CLI"}'], base());
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('Echo: through the CLI');
  });

  it('mcp call shows each progress notification of a long call on stderr', async () => {
    const args = '{"duration":0.4,"steps":4}';
    const r = await cli([...at(), 'mcp', 'call', 'trigger-long-running-operation', '--args', args], base());
    expect(r.code).toBe(0);
    const steps = r.stderr.split('\n').filter((l) => l.startsWith('trigger-long-running-operation: '));
    expect(steps.map((l) => l.split(' ')[1])).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('mcp call with arguments that are not a JSON object is a usage error (exit 2) and calls nothing', async () => {
    const r = await cli([...at(), 'mcp', 'call', 'echo', '--args', '[1,2]'], base());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--args must be a JSON object/);
  });

  it('mcp commands without an API key say how to give one (exit 2)', async () => {
    const r = await cli(['--url', `http://127.0.0.1:${everything.port}`, 'mcp', 'tools'], base());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SPRINTCONNECT_API_KEY/);
  });
});

describe('sprintconnect mcp through the gateway (SPRINTCONNECT_URL is the deployment, not an MCP server)', () => {
  const env = () => ({ ...base(), ...sc.env });

  it('mcp tools lists the tools of the registered servers under their gateway names', async () => {
    const r = await cli(['mcp', 'tools'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ tools\n/);
    expect(r.stdout).toContain('everything__echo');
  });

  it('mcp call reaches the server that owns the tool, and the upstream progress is relayed to stderr', async () => {
    const args = '{"duration":0.4,"steps":4}';
    const r = await cli(['mcp', 'call', 'everything__trigger-long-running-operation', '--args', args], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Long running operation completed/);
    const steps = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('everything__trigger-long-running-operation: '));
    expect(steps.map((l) => l.split(' ')[1])).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('a tool the gateway does not offer is named in a one-line error, exit 1', async () => {
    const r = await cli(['mcp', 'call', 'nobody__echo', '--args', '{}'], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: Unknown tool: nobody__echo\n');
  });
});
