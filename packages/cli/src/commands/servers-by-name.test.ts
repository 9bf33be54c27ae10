import { describe, expect, it } from 'vitest';
import { run } from '../run.ts';
import { fakeApi, testDeps } from '../testing/fake-api.ts';
import { SERVER_ID, server } from '../testing/fixtures.ts';

const STAGING_ID = '0190a3c2-6a1e-7b4c-9d2f-00000000000a';
const weather = server({ name: 'Weather', environment: 'production' });
const twin = server({ id: STAGING_ID, name: 'weather', environment: 'staging' });
const near = server({ id: '0190a3c2-6a1e-7b4c-9d2f-00000000000b', name: 'weather-eu' });

/** `GET /v1/servers` answering `q` (a substring, as the API does) from these servers. */
const serversApi = (
  extra: Record<string, Parameters<typeof fakeApi>[0][string]> = {},
  all = [weather, twin, near],
) =>
  fakeApi({
    'GET /v1/servers': (req) => {
      const q = (req.url.searchParams.get('q') ?? '').toLowerCase();
      const env = req.url.searchParams.get('environment');
      const items = all.filter(
        (s) => s.name.toLowerCase().includes(q) && (env === null || s.environment === env),
      );
      return { body: { items, nextCursor: null } };
    },
    ...extra,
  });

describe('a server named on the command line', () => {
  it('is looked up by its whole name (q narrows, the name must be equal) and shown by its id', async () => {
    const api = serversApi({ [`GET /v1/servers/${SERVER_ID}`]: { body: weather } }, [weather, near]);
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'show', 'weather'], deps)).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      'GET /v1/servers?q=weather',
      `GET /v1/servers/${SERVER_ID}`,
    ]);
    expect(stdout.text()).toMatch(new RegExp(`^ID\\s+${SERVER_ID}$`, 'm'));
  });

  it('an id is used as it is, without a lookup', async () => {
    const api = fakeApi({ [`GET /v1/servers/${SERVER_ID}`]: { body: weather } });
    const { deps } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'show', SERVER_ID], deps)).toBe(0);
    expect(api.requests).toHaveLength(1);
  });

  it('used in two environments: exit 2, both listed, --environment suggested, nothing else called', async () => {
    const api = serversApi();
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'delete', 'weather'], deps)).toBe(2);
    const lines = stderr.text().split('\n');
    expect(lines[0]).toBe(
      'error: 2 servers are named "weather" in this organization: pick one with --environment <environment>, or give its id',
    );
    expect(lines[1]).toMatch(/^ {2}ID\s+NAME\s+ENVIRONMENT\s+STATUS$/);
    expect(lines.slice(2, 4).map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
      [SERVER_ID, 'Weather', 'production'],
      [STAGING_ID, 'weather', 'staging'],
    ]);
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('--environment narrows the lookup to one environment', async () => {
    const api = serversApi({ [`DELETE /v1/servers/${STAGING_ID}`]: { status: 204 } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'delete', 'weather', '--environment', 'staging'], deps)).toBe(0);
    expect(api.requests[0]!.url.searchParams.get('environment')).toBe('staging');
    expect(stdout.text()).toBe(`deleted server weather (${STAGING_ID})\n`);
  });

  it('on update the narrowing flag is --in (--environment is the new value) and the message says so', async () => {
    const api = serversApi();
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'update', 'weather', '--environment', 'staging'], deps)).toBe(2);
    expect(stderr.text()).toContain('pick one with --in <environment>');
    const ok = serversApi({ [`PATCH /v1/servers/${STAGING_ID}`]: { body: twin } });
    const second = testDeps({ fetch: ok.fetch });
    expect(
      await run(
        ['servers', 'update', 'weather', '--in', 'staging', '--environment', 'production'],
        second.deps,
      ),
    ).toBe(0);
    expect(ok.requests.at(-1)!.body).toEqual({ environment: 'production' });
  });

  it('nobody has the name: exit 1, saying where to look', async () => {
    const api = serversApi();
    const { deps, stderr } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'diff', 'nope', '--from', '1', '--to', '2'], deps)).toBe(1);
    expect(stderr.text()).toBe(
      'error: there is no server named "nope" in this organization (see `sprintconnect servers list`)\n',
    );
  });

  it('every command that names a server takes a name', async () => {
    for (const argv of [
      ['servers', 'discover', 'nope'],
      ['servers', 'versions', 'nope'],
      ['servers', 'manifest', 'show', 'nope'],
      ['servers', 'manifest', 'drift', 'nope'],
      ['servers', 'manifest', 'rollback', 'nope'],
      ['servers', 'manifest', 'versions', 'nope'],
      ['policies', 'dry-run', '--action', 'servers:read', '--server', 'nope'],
    ]) {
      const { deps, stderr } = testDeps({ fetch: serversApi().fetch });
      expect(await run(argv, deps), argv.join(' ')).toBe(1);
      expect(stderr.text()).toContain('there is no server named "nope"');
    }
  });
});

describe('servers show --json', () => {
  it('is the server body with `capabilities` beside it: the current version, or null before discovery', async () => {
    const caps = {
      id: 'c',
      serverId: SERVER_ID,
      version: 2,
      counts: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 },
      tools: [{ name: 'echo' }],
    };
    const discovered = server({ currentVersion: 2, status: 'active' });
    const api = fakeApi({
      [`GET /v1/servers/${SERVER_ID}`]: { body: discovered },
      [`GET /v1/servers/${SERVER_ID}/capabilities`]: { body: caps },
    });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'show', SERVER_ID, '--json'], deps)).toBe(0);
    expect(JSON.parse(stdout.text())).toEqual({ ...discovered, capabilities: caps });

    const fresh = fakeApi({ [`GET /v1/servers/${SERVER_ID}`]: { body: server() } });
    const second = testDeps({ fetch: fresh.fetch });
    expect(await run(['servers', 'show', SERVER_ID, '--json'], second.deps)).toBe(0);
    expect(JSON.parse(second.stdout.text())).toEqual({ ...server(), capabilities: null });
  });
});

describe('servers update', () => {
  it('sends only the fields given; --clear-tags, --no-auth and --no-auto-discover say so explicitly', async () => {
    const api = fakeApi({ [`PATCH /v1/servers/${SERVER_ID}`]: { body: weather } });
    const { deps } = testDeps({ fetch: api.fetch, env: { SPRINTCONNECT_API_KEY: 'k', TOKEN: 't0k' } });
    expect(
      await run(
        ['servers', 'update', SERVER_ID, '--url', 'https://new/mcp', '--tag', 'b,a', '--no-auto-discover'],
        deps,
      ),
    ).toBe(0);
    expect(api.requests[0]!.body).toEqual({ url: 'https://new/mcp', tags: ['b', 'a'], autoDiscover: false });
    await run(['servers', 'update', SERVER_ID, '--clear-tags', '--no-auth'], deps);
    expect(api.requests[1]!.body).toEqual({ tags: [], auth: { type: 'none' } });
    await run(['servers', 'update', SERVER_ID, '--bearer-token-env', 'TOKEN', '--auto-discover'], deps);
    expect(api.requests[2]!.body).toEqual({ autoDiscover: true, auth: { type: 'bearer', token: 't0k' } });
  });

  it.each([
    [[]],
    [['--tag', 'a', '--clear-tags']],
    [['--bearer-token-env', 'TOKEN', '--no-auth']],
    [['--environment', 'prod']],
  ])('exits 2 without a request for %j', async (extra) => {
    const api = fakeApi({});
    const { deps } = testDeps({ fetch: api.fetch, env: { SPRINTCONNECT_API_KEY: 'k', TOKEN: 't' } });
    expect(await run(['servers', 'update', SERVER_ID, ...extra], deps)).toBe(2);
    expect(api.requests).toHaveLength(0);
  });
});

describe('servers show (plain)', () => {
  it('shows the manifest state and the fields a policy withheld, as the JSON carries them', async () => {
    const signed = server({
      tags: null,
      redacted: ['tags'],
      manifest: { ...server().manifest, status: 'verified', version: 2, issuer: 'platform-team' },
    });
    const api = fakeApi({ [`GET /v1/servers/${SERVER_ID}`]: { body: signed } });
    const { deps, stdout } = testDeps({ fetch: api.fetch });
    expect(await run(['servers', 'show', SERVER_ID], deps)).toBe(0);
    expect(stdout.text()).toMatch(/^Manifest\s+verified \(version 2, platform-team\)$/m);
    expect(stdout.text()).toMatch(/^Withheld\s+tags \(by policy\)$/m);
  });
});
