import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigner } from '../../../apps/server/test/manifest-signer.ts';
import { type RunningEverything, startEverything } from '../../../apps/server/test/mcp-servers/everything.ts';
import { type CliServer, cli, startCliServer } from './testing/cli-process.ts';

/**
 * Issue 10 point 8, servers and jobs through the real binary against a real server: servers named by name
 * everywhere (an ambiguous name refused with its candidates), `show --json` carrying what `show` prints,
 * update, delete, versions, manifests and jobs; `--json` equal to the API's body; problems exit 1.
 */
let s: CliServer;
let mcp: RunningEverything;
let dir: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  s = await startCliServer();
  mcp = await startEverything('streamable-http');
  dir = mkdtempSync(join(tmpdir(), 'sc-cli-servers-'));
  for (const environment of ['staging', 'production']) {
    const r = await s.api('POST', '/v1/servers', {
      name: 'twin',
      url: `https://twin-${environment}.example.com/mcp`,
      environment,
      autoDiscover: false,
    });
    expect(r.status).toBe(201);
    ids[environment] = r.body.id;
  }
});

afterAll(async () => {
  await mcp?.close();
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) => cli(args, s.env);

describe('servers named by name', () => {
  it('a name used in two environments is a usage error (exit 2) listing both and suggesting --environment', async () => {
    const r = await run(['servers', 'show', 'twin']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: 2 servers are named "twin" in this organization: pick one with --environment/,
    );
    expect(r.stderr).toMatch(new RegExp(`^\\s+${ids['staging']}\\s+twin\\s+staging\\b`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^\\s+${ids['production']}\\s+twin\\s+production\\b`, 'm'));
  });

  it('--environment picks one (names compare case-insensitively, as the API keeps them unique)', async () => {
    const r = await run(['servers', 'show', 'TWIN', '--environment', 'staging', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe(ids['staging']);
  });

  it('a name nobody has exits 1 and says where to look', async () => {
    const r = await run(['servers', 'discover', 'no-such-server']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: there is no server named "no-such-server" in this organization (see `sprintconnect servers list`)\n',
    );
  });
});

describe('servers show --json', () => {
  it('is the API server body with `capabilities`, the API capabilities body, as the plain output shows both', async () => {
    const reg = await run([
      'servers',
      'register',
      '--name',
      'everything',
      '--url',
      mcp.url,
      '--wait',
      '--json',
    ]);
    expect(reg.code).toBe(0);
    const id = JSON.parse(reg.stdout).id as string;

    const plain = await run(['servers', 'show', 'everything']);
    expect(plain.stdout).toMatch(/^Capabilities \(version 1\): /m);
    const r = await run(['servers', 'show', 'everything', '--json']);
    expect(r.code).toBe(0);
    const { capabilities, ...server } = JSON.parse(r.stdout);
    expect(server).toEqual((await s.api('GET', `/v1/servers/${id}`)).body);
    expect(capabilities).toEqual((await s.api('GET', `/v1/servers/${id}/capabilities`)).body);
    expect(capabilities.tools.map((t: { name: string }) => t.name)).toContain('echo');

    const none = JSON.parse((await run(['servers', 'show', ids['staging']!, '--json'])).stdout);
    expect(none.capabilities).toBeNull();
  });

  it('servers versions <name> --json is the API page; a server never discovered has none', async () => {
    const r = await run(['servers', 'versions', 'everything', '--json']);
    expect(r.code).toBe(0);
    const page = JSON.parse(r.stdout);
    const id = page.items[0].serverId as string;
    expect(page).toEqual((await s.api('GET', `/v1/servers/${id}/capabilities/versions`)).body);
    expect(page.items.map((v: { version: number }) => v.version)).toEqual([1]);
  });
});

describe('servers update and delete', () => {
  it('update <name> --in <env> changes only the flags given and prints the API body', async () => {
    const r = await run([
      'servers',
      'update',
      'twin',
      '--in',
      'staging',
      '--description',
      'the twin',
      '--tag',
      'a,b',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    // The PATCH reply: the server, and the discovery the change started (none: no connection changed).
    expect(body).toEqual({
      ...(await s.api('GET', `/v1/servers/${ids['staging']}`)).body,
      discoveryJob: null,
    });
    expect(body).toMatchObject({
      description: 'the twin',
      tags: ['a', 'b'],
      url: 'https://twin-staging.example.com/mcp',
    });
    expect((await s.api('GET', `/v1/servers/${ids['production']}`)).body.description).toBe('');
  });

  it('update refuses bad input with the problem (code and field) and exit 1, changing nothing', async () => {
    const r = await run(['servers', 'update', ids['staging']!, '--tag', 'UPPER']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(validation_failed\): /);
    expect(r.stderr).toMatch(/^ {2}- body \/tags\/0: /m);
    expect((await s.api('GET', `/v1/servers/${ids['staging']}`)).body.tags).toEqual(['a', 'b']);
  });

  it('delete <name> --environment removes that one only; deleting it again is the 404 problem, exit 1', async () => {
    const r = await run(['servers', 'delete', 'twin', '--environment', 'production']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`deleted server twin (${ids['production']})\n`);
    expect((await s.api('GET', `/v1/servers/${ids['production']}`)).status).toBe(404);
    expect((await s.api('GET', `/v1/servers/${ids['staging']}`)).status).toBe(200);
    const again = await run(['servers', 'delete', ids['production']!]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .+ \(server_not_found\): /);
  });
});

describe('a failed registration fixed from the CLI (issue 10 point 6)', () => {
  it('register with a wrong URL fails discovery (exit 1); update --url --wait rediscovers with a progress bar and exits 0', async () => {
    const wrong = mcp.url.replace(/\/mcp$/, '/not-here');
    const reg = await run(['servers', 'register', '--name', 'fix-me', '--url', wrong, '--wait']);
    expect(reg.code).toBe(1);
    expect(reg.stderr).toMatch(/^error: discovery failed: not_mcp: /m);
    const failed = JSON.parse((await run(['servers', 'show', 'fix-me', '--json'])).stdout);
    expect(failed).toMatchObject({ status: 'discovery_failed', lastError: { code: 'not_mcp' } });

    const fixed = await run(['servers', 'update', 'fix-me', '--url', mcp.url, '--wait', '--progress']);
    expect(fixed.stderr).toMatch(/discovery \[[█░]+\] 100% \| succeeded \| ETA 0s/);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/^updated fix-me \([0-9a-f-]{36}\)\n/);
    expect(fixed.stdout).toMatch(/^discovered capability version 1: \d+ tools/m);
    const server = JSON.parse((await run(['servers', 'show', 'fix-me', '--json'])).stdout);
    expect(server).toMatchObject({ url: mcp.url, status: 'active', currentVersion: 1, lastError: null });
  });

  it('update without --wait names the discovery it started; a change that touches no connection starts none', async () => {
    const moved = await run(['servers', 'update', 'fix-me', '--url', `${mcp.url}?moved=1`]);
    expect(moved.code).toBe(0);
    const job = /^discovery job ([0-9a-f-]{36}) queued$/m.exec(moved.stdout)?.[1];
    expect(job).toBeDefined();
    expect(moved.stdout).toContain(`follow it with: sprintconnect jobs wait ${job}`);
    expect((await run(['jobs', 'wait', job!])).code).toBe(0);

    const quiet = await run(['servers', 'update', 'fix-me', '--description', 'fixed', '--wait']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('note: nothing to wait for: this change started no discovery\n');
    expect(quiet.stdout).not.toMatch(/discovery job/);
  });
});

describe('signed manifests and the trust store', () => {
  it('trust keys add, then servers manifest submit/show/versions/drift by server name', async () => {
    const signer = await makeSigner('EdDSA', 'release-1', 'platform-team');
    const jwkFile = join(dir, 'key.json');
    writeFileSync(jwkFile, JSON.stringify(signer.publicJwk));
    const added = await run([
      'trust',
      'keys',
      'add',
      '--issuer',
      'platform-team',
      '--jwk-file',
      jwkFile,
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect((await s.api('GET', '/v1/trust/keys')).body.items).toEqual([JSON.parse(added.stdout)]);

    const jws = await signer.sign({
      iss: 'platform-team',
      server: { name: 'everything', url: mcp.url },
      tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
      resources: [],
      prompts: [],
    });
    const file = join(dir, 'manifest.jws');
    writeFileSync(file, `${jws}\n`);
    const sub = await run(['servers', 'manifest', 'submit', 'everything', '--file', file, '--json']);
    expect(sub.stderr).toBe('');
    const current = JSON.parse(sub.stdout);
    expect(current).toMatchObject({ version: 1, issuer: 'platform-team', kid: 'release-1' });
    const show = await run(['servers', 'manifest', 'show', 'everything', '--json']);
    const id = JSON.parse((await run(['servers', 'show', 'everything', '--json'])).stdout).id;
    expect(JSON.parse(show.stdout)).toEqual((await s.api('GET', `/v1/servers/${id}/manifest`)).body);
    const versions = await run(['servers', 'manifest', 'versions', 'everything', '--json']);
    expect(JSON.parse(versions.stdout)).toEqual((await s.api('GET', `/v1/servers/${id}/manifests`)).body);
    const drift = await run(['servers', 'manifest', 'drift', 'everything', '--json']);
    expect(JSON.parse(drift.stdout)).toEqual((await s.api('GET', `/v1/servers/${id}/manifest/drift`)).body);

    const rollback = await run(['servers', 'manifest', 'rollback', 'everything']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/^error: .+ \(\w+\): /);

    const removed = await run(['trust', 'keys', 'remove', 'release-1']);
    expect(removed.code).toBe(0);
    expect((await s.api('GET', '/v1/trust/keys')).body.items).toEqual([]);
  });

  it('a private key is refused with the problem and exit 1', async () => {
    const signer = await makeSigner('EdDSA', 'leaky', 'platform-team');
    const file = join(dir, 'private.json');
    writeFileSync(file, JSON.stringify(signer.privateJwk));
    const r = await run(['trust', 'keys', 'add', '--issuer', 'platform-team', '--jwk-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(\w+\): /);
    expect((await s.api('GET', '/v1/trust/keys')).body.items).toEqual([]);
  });

  it('trust settings set/show: --json is the API body', async () => {
    const set = await run(['trust', 'settings', 'set', '--require-signed-manifests', '--json']);
    expect(JSON.parse(set.stdout)).toEqual({ requireSignedManifests: true });
    expect((await s.api('GET', '/v1/trust/settings')).body).toEqual({ requireSignedManifests: true });
    await run(['trust', 'settings', 'set', '--no-require-signed-manifests']);
    const show = await run(['trust', 'settings', 'show', '--json']);
    expect(JSON.parse(show.stdout)).toEqual((await s.api('GET', '/v1/trust/settings')).body);
    expect(JSON.parse(show.stdout)).toEqual({ requireSignedManifests: false });
  });
});

describe('jobs', () => {
  it('jobs show --json is the API body; jobs wait follows to the end with one line per stage', async () => {
    const d = await run(['servers', 'discover', 'everything', '--force', '--json']);
    expect(d.code).toBe(0);
    const jobId = JSON.parse(d.stdout).id as string;
    const wait = await run(['jobs', 'wait', jobId]);
    expect(wait.code).toBe(0);
    expect(wait.stderr).toMatch(/^discovery: succeeded$/m);
    expect(wait.stdout).toMatch(new RegExp(`^ID\\s+${jobId}$`, 'm'));
    const show = await run(['jobs', 'show', jobId, '--json']);
    expect(JSON.parse(show.stdout)).toEqual((await s.api('GET', `/v1/jobs/${jobId}`)).body);
  });

  it('an unknown job is the 404 problem, exit 1', async () => {
    const r = await run(['jobs', 'show', '0190a0a0-0000-7000-8000-000000000000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .+ \(\w+\): /);
  });
});
