import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveLogin } from './auth/credentials.ts';
import { run } from './run.ts';
import { fakeApi, problemResponse, testDeps } from './testing/fake-api.ts';
import { JOB_ID, job, SERVER_ID, server } from './testing/fixtures.ts';
import { LOGIN } from './testing/login.ts';

const created = { ...server(), discoveryJob: job() };

describe('connection settings', () => {
  it('defaults to http://127.0.0.1:8080 and sends the API key from SPRINTCONNECT_API_KEY', async () => {
    const api = fakeApi({ 'GET /v1/servers': { body: { items: [], nextCursor: null } } });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'list'], deps)).toBe(0);
    expect(api.requests[0]!.url.origin).toBe('http://127.0.0.1:8080');
    expect(api.requests[0]!.headers.get('authorization')).toBe('Bearer sc_test_key');
  });

  it('lets --url and --api-key before the command win over the environment', async () => {
    const api = fakeApi({ 'GET /base/v1/servers': { body: { items: [], nextCursor: null } } });
    const { deps } = testDeps({
      fetch: api.fetch,
      env: { SPRINTCONNECT_URL: 'http://env:1', SPRINTCONNECT_API_KEY: 'env' },
    });
    const code = await run(
      ['--url', 'https://sc.example.com/base/', '--api-key', 'flag', 'servers', 'list'],
      deps,
    );
    expect(code).toBe(0);
    expect(api.requests[0]!.url.href).toBe('https://sc.example.com/base/v1/servers');
    expect(api.requests[0]!.headers.get('authorization')).toBe('Bearer flag');
  });

  it('is a usage error (exit 2) to have no API key', async () => {
    const api = fakeApi({});
    const { deps, stderr } = testDeps({ fetch: api.fetch, env: {} });
    expect(await run(['servers', 'list'], deps)).toBe(2);
    expect(stderr.text()).toContain('error: no API key: set SPRINTCONNECT_API_KEY or pass --api-key');
    expect(api.requests).toHaveLength(0);
  });

  it('rejects a SprintConnect URL that is not http(s) with exit 2', async () => {
    const { deps, stderr } = testDeps({ env: { SPRINTCONNECT_API_KEY: 'k', SPRINTCONNECT_URL: 'ftp://x' } });
    expect(await run(['servers', 'list'], deps)).toBe(2);
    expect(stderr.text()).toMatch(/must be http/);
  });
});

describe('servers register', () => {
  it('sends the flags as the request body, tags collected from repeats and commas', async () => {
    const api = fakeApi({ 'POST /v1/servers': { status: 201, body: created } });
    const { deps } = testDeps({ fetch: api.fetch });
    const argv = ['servers', 'register', '--name', 'weather', '--url', 'https://mcp.example.com/mcp'];
    argv.push('--transport', 'sse', '--environment', 'staging', '--tag', 'a', '--tag', 'b,c', '--tag', 'a');
    argv.push('--description', 'Forecasts', '--no-auto-discover');
    expect(await run(argv, deps)).toBe(0);
    expect(api.requests[0]!.body).toEqual({
      name: 'weather',
      url: 'https://mcp.example.com/mcp',
      transport: 'sse',
      environment: 'staging',
      tags: ['a', 'b', 'c'],
      description: 'Forecasts',
      autoDiscover: false,
    });
  });

  it("keeps register's --url (the MCP server) apart from the global --url (SprintConnect)", async () => {
    const api = fakeApi({ 'POST /v1/servers': { status: 201, body: created } });
    const { deps } = testDeps({ fetch: api.fetch });
    const argv = [
      '--url',
      'http://sc.internal:9000',
      'servers',
      'register',
      '--name',
      'w',
      '--url',
      'https://mcp/x',
    ];
    expect(await run(argv, deps)).toBe(0);
    expect(api.requests[0]!.url.href).toBe('http://sc.internal:9000/v1/servers');
    expect(api.requests[0]!.body).toEqual({ name: 'w', url: 'https://mcp/x' });
  });

  it('leaves optional fields to the server defaults when not given', async () => {
    const api = fakeApi({ 'POST /v1/servers': { status: 201, body: created } });
    const { deps } = testDeps({ fetch: api.fetch });
    await run(['servers', 'register', '--name', 'w', '--url', 'https://x/mcp'], deps);
    expect(api.requests[0]!.body).toEqual({ name: 'w', url: 'https://x/mcp' });
  });

  it('reads the bearer token from the environment variable --bearer-token-env names', async () => {
    const api = fakeApi({ 'POST /v1/servers': { status: 201, body: created } });
    const { deps } = testDeps({
      fetch: api.fetch,
      env: { SPRINTCONNECT_API_KEY: 'k', WEATHER_TOKEN: 's3cret' },
    });
    const code = await run(
      ['servers', 'register', '--name', 'w', '--url', 'https://x', '--bearer-token-env', 'WEATHER_TOKEN'],
      deps,
    );
    expect(code).toBe(0);
    expect(api.requests[0]!.body).toMatchObject({ auth: { type: 'bearer', token: 's3cret' } });
  });

  it('is a usage error, sending nothing, when the named token variable is unset', async () => {
    const api = fakeApi({});
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    const code = await run(
      ['servers', 'register', '--name', 'w', '--url', 'https://x', '--bearer-token-env', 'NOPE'],
      deps,
    );
    expect(code).toBe(2);
    expect(stderr.text()).toContain('--bearer-token-env names NOPE');
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    [['servers', 'register', '--url', 'https://x']],
    [['servers', 'register', '--name', 'w', '--url', 'https://x', '--environment', 'prod']],
    [['servers', 'register', '--name', 'w', '--url', 'https://x', '--transport', 'stdio']],
    [['servers', 'register', '--name', 'w', '--url', 'https://x', '--bogus']],
    [['servers', 'frobnicate']],
  ])('exits 2 without a request for the bad command line %j', async (argv) => {
    const api = fakeApi({});
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(argv, deps)).toBe(2);
    expect(stderr.text()).toMatch(/^error: /m);
    expect(api.requests).toHaveLength(0);
  });

  it('prints the API response and nothing else with --json', async () => {
    const api = fakeApi({ 'POST /v1/servers': { status: 201, body: created } });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'register', '--name', 'w', '--url', 'https://x', '--json'], deps)).toBe(0);
    expect(JSON.parse(stdout.text())).toEqual(created);
    expect(stderr.text()).toBe('');
  });

  it('prints an API problem as title, code, detail and field errors, exit 1', async () => {
    const api = fakeApi({
      'POST /v1/servers': () => ({
        status: 422,
        body: {
          type: 'https://sprintconnect.dev/problems/validation_failed',
          title: 'Validation failed',
          status: 422,
          detail: 'The request has 1 invalid field(s).',
          instance: '/v1/servers',
          code: 'validation_failed',
          requestId: 'r1',
          errors: [{ location: 'body', pointer: '/tags/0', detail: 'must match pattern' }],
        },
      }),
    });
    const { deps, stderr, stdout } = testDeps({ fetch: api.fetch });
    expect(
      await run(['servers', 'register', '--name', 'w', '--url', 'https://x', '--tag', 'UP', '--json'], deps),
    ).toBe(1);
    expect(stderr.text()).toBe(
      'error: Validation failed (validation_failed): The request has 1 invalid field(s).\n  - body /tags/0: must match pattern\n',
    );
    expect(stdout.text()).toBe('');
  });

  it('--wait follows the job, one stderr line per stage without a terminal, then prints the counts', async () => {
    const counts = { tools: 3, resources: 1, resourceTemplates: 0, prompts: 2 };
    const api = fakeApi({
      'POST /v1/servers': { status: 201, body: created },
      [`GET /v1/jobs/${JOB_ID}`]: [
        { body: job({ state: 'running', stage: 'connect' }) },
        { body: job({ state: 'running', stage: 'connect' }) },
        { body: job({ state: 'running', stage: 'tools', progress: { done: 1, total: 6, percent: 16.7 } }) },
        { body: job({ state: 'succeeded', stage: 'store', result: { version: 1, changed: true, counts } }) },
      ],
    });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    const code = await run(['servers', 'register', '--name', 'w', '--url', 'https://x', '--wait'], deps);
    expect(code).toBe(0);
    expect(stderr.text()).toBe('discovery: connect (0%)\ndiscovery: tools (16%)\ndiscovery: succeeded\n');
    expect(stdout.text()).toContain(
      'discovered capability version 1: 3 tools, 1 resource, 0 resource templates, 2 prompts',
    );
  }, 10_000);

  it('--wait on a failed discovery prints code, message and guidance and exits 1', async () => {
    const error = {
      code: 'connection_refused',
      message: 'nothing listens',
      guidance: 'Start it.',
      retryable: true,
    };
    const api = fakeApi({
      'POST /v1/servers': { status: 201, body: created },
      [`GET /v1/jobs/${JOB_ID}`]: { body: job({ state: 'failed', stage: 'connect', error, attempts: 3 }) },
      [`GET /v1/servers/${SERVER_ID}`]: { body: server({ status: 'discovery_failed', lastError: error }) },
    });
    const { deps, stdout, stderr } = testDeps({ fetch: api.fetch });
    const code = await run(
      ['servers', 'register', '--name', 'w', '--url', 'https://x', '--wait', '--json'],
      deps,
    );
    expect(code).toBe(1);
    expect(stderr.text()).toContain(
      'error: discovery failed: connection_refused: nothing listens\nguidance: Start it.\n',
    );
    const out = JSON.parse(stdout.text());
    expect(out.status).toBe('discovery_failed');
    expect(out.discoveryJob.state).toBe('failed');
  });
});

describe('read commands', () => {
  it('servers list turns filters into query parameters', async () => {
    const api = fakeApi({ 'GET /v1/servers': { body: { items: [server()], nextCursor: null } } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    const argv = [
      'servers',
      'list',
      '--environment',
      'staging',
      '--tag',
      'a',
      '--tag',
      'b',
      '--status',
      'active',
    ];
    expect(await run([...argv, '--limit', '5'], deps)).toBe(0);
    const q = api.requests[0]!.url.searchParams;
    expect(Object.fromEntries(q)).toEqual({
      environment: 'staging',
      tags: 'a,b',
      status: 'active',
      limit: '5',
    });
    expect(stdout.text().split('\n')[0]).toMatch(/^ID\s+NAME\s+ENVIRONMENT\s+STATUS\s+VERSION\s+TAGS\s+URL$/);
    expect(stdout.text()).toContain('weather');
  });

  it('servers list --all follows nextCursor across pages', async () => {
    const api = fakeApi({
      'GET /v1/servers': (req) =>
        req.url.searchParams.get('cursor') === null
          ? { body: { items: [server({ name: 'one' })], nextCursor: 'c2' } }
          : { body: { items: [server({ name: 'two' })], nextCursor: null } },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'list', '--all', '--json'], deps)).toBe(0);
    expect(JSON.parse(stdout.text()).items.map((s: { name: string }) => s.name)).toEqual(['one', 'two']);
    expect(api.requests.map((r) => r.url.searchParams.get('cursor'))).toEqual([null, 'c2']);
  });

  it('servers diff passes --from and --to; non-numbers are usage errors', async () => {
    const kind = { added: ['new'], removed: [], modified: [{ name: 'old', changedFields: ['description'] }] };
    const none = { added: [], removed: [], modified: [] };
    const diff = {
      from: 1,
      to: 2,
      changed: true,
      tools: kind,
      resources: none,
      resourceTemplates: none,
      prompts: none,
    };
    const api = fakeApi({ [`GET /v1/servers/${SERVER_ID}/capabilities/diff`]: { body: diff } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'diff', SERVER_ID, '--from', '1', '--to', '2'], deps)).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.url.searchParams)).toEqual({ from: '1', to: '2' });
    expect(stdout.text()).toBe(
      'changes from version 1 to version 2:\ntools\n  + new\n  ~ old (description)\n',
    );
    expect(
      await run(
        ['servers', 'diff', SERVER_ID, '--from', 'one', '--to', '2'],
        testDeps({ fetch: api.fetch }).deps,
      ),
    ).toBe(2);
    expect(await run(['servers', 'diff', SERVER_ID, '--to', '2'], testDeps({ fetch: api.fetch }).deps)).toBe(
      2,
    );
  });

  it('search joins its terms comma-separated and passes the filters', async () => {
    const result = {
      query: { capabilities: ['weather', 'forecast', 'alerts'], fuzzy: true, environment: null, tags: [] },
      total: 0,
      items: [],
    };
    const api = fakeApi({ 'GET /v1/discovery/servers': { body: result } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(
      await run(['search', 'weather', 'forecast,alerts', '--fuzzy', '--tag', 'x', '--limit', '3'], deps),
    ).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.url.searchParams)).toEqual({
      capability: 'weather,forecast,alerts',
      fuzzy: 'true',
      tags: 'x',
      limit: '3',
    });
    expect(stdout.text()).toBe('0 servers with weather, forecast, alerts\n');
  });

  it('servers show prints a 404 problem and exits 1', async () => {
    const api = fakeApi({});
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'show', SERVER_ID], deps)).toBe(1);
    expect(stderr.text()).toMatch(/^error: Not found \(not_found\): no route GET/);
  });

  it('a 401 adds a hint about the API key', async () => {
    const unauth = async () =>
      problemResponse(401, { title: 'Unauthenticated', code: 'unauthenticated', detail: 'bad key' });
    const { deps, stderr } = testDeps({ fetch: unauth as unknown as typeof fetch });
    expect(await run(['servers', 'list'], deps)).toBe(1);
    expect(stderr.text()).toBe(
      'error: Unauthenticated (unauthenticated): bad key\nhint: check SPRINTCONNECT_API_KEY (or --api-key), or run `sprintconnect login` again\n',
    );
  });
});

describe('start', () => {
  it('passes --role as SPRINTCONNECT_ROLE and stops the server on a signal', async () => {
    let handler: ((s: string) => void) | undefined;
    let stopped = false;
    const { deps, stdout } = testDeps({
      startServer: async (o) => {
        expect(o.env).toEqual({ SPRINTCONNECT_ROLE: 'worker' });
        o.print('ready');
        return {
          url: 'http://127.0.0.1:1',
          stop: async () => {
            stopped = true;
          },
        };
      },
      onShutdownSignal: (h) => {
        handler = h;
      },
    });
    const running = run(['start', '--role', 'worker'], deps);
    await new Promise((r) => setTimeout(r, 10));
    handler!('SIGTERM');
    expect(await running).toBe(0);
    expect(stopped).toBe(true);
    expect(stdout.text()).toBe('ready\n');
  });

  it('a signal during start-up stops the server once it is up; a second one exits 130 at once', async () => {
    let handler: ((s: string) => void) | undefined;
    let stops = 0;
    let finishStart: () => void = () => {};
    const { deps } = testDeps({
      startServer: () =>
        new Promise((resolve) => {
          finishStart = () =>
            resolve({
              url: 'http://127.0.0.1:1',
              stop: async () => {
                stops += 1;
              },
            });
        }),
      onShutdownSignal: (h) => {
        handler = h;
      },
    });
    const running = run(['start'], deps);
    await new Promise((r) => setTimeout(r, 10));
    handler!('SIGINT');
    finishStart();
    expect(await running).toBe(0);
    expect(stops).toBe(1);

    const hung = testDeps({
      startServer: async () => ({ url: 'http://127.0.0.1:1', stop: () => new Promise<void>(() => {}) }),
      onShutdownSignal: (h) => {
        handler = h;
      },
    });
    const stuck = run(['start'], hung.deps);
    await new Promise((r) => setTimeout(r, 10));
    handler!('SIGINT');
    handler!('SIGINT');
    expect(await stuck).toBe(130);
    expect(hung.stderr.text()).toBe('SIGINT: stopping...\nSIGINT again: exiting without a clean stop\n');
  });

  it('prints a start failure as one message without a stack, exit 1', async () => {
    const { deps, stderr } = testDeps({
      startServer: async () => {
        throw new Error('SprintConnect cannot start; fix these settings:\n  - PORT must be a whole number');
      },
    });
    expect(await run(['start'], deps)).toBe(1);
    expect(stderr.text()).toBe(
      'error: SprintConnect cannot start; fix these settings:\n  - PORT must be a whole number\n',
    );
  });

  it('rejects an unknown role with exit 2', async () => {
    const { deps } = testDeps();
    expect(await run(['start', '--role', 'everything'], deps)).toBe(2);
  });
});

describe('the stored login', () => {
  it('is used (its access token as the bearer, its server as the URL) when no API key is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-run-'));
    try {
      saveLogin(dir, { ...LOGIN, server: 'http://sc.example.com' });
      const api = fakeApi({ 'GET /v1/servers': { body: { items: [], nextCursor: null } } });
      const { deps } = testDeps({ fetch: api.fetch, env: { SPRINTCONNECT_CONFIG_DIR: dir } });
      expect(await run(['servers', 'list'], deps)).toBe(0);
      expect(api.requests[0]!.url.origin).toBe('http://sc.example.com');
      expect(api.requests[0]!.headers.get('authorization')).toBe('Bearer at-1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not used for another server: a usage error naming both (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-run-'));
    try {
      saveLogin(dir, { ...LOGIN, server: 'http://sc.example.com' });
      const api = fakeApi({});
      const env = { SPRINTCONNECT_CONFIG_DIR: dir, SPRINTCONNECT_URL: 'http://other.example.com' };
      const { deps, stderr } = testDeps({ fetch: api.fetch, env });
      expect(await run(['servers', 'list'], deps)).toBe(2);
      expect(stderr.text()).toContain('the stored login is for http://sc.example.com');
      expect(api.requests).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
