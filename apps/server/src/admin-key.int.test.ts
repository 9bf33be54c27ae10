import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_MASTER_KEY } from '../test/constants.ts';
import { startTestApp } from '../test/harness.ts';
import { nodeBinary } from '../test/mcp-servers/loopback.ts';
import {
  postmasterOf,
  processAlive,
  type StartProcess,
  startReady,
  stopLeftoverPostmaster,
} from '../test/start-process.ts';

/**
 * Issue 10 point 7 with real OS processes: `sprintconnect admin create-key` recovers admin access from the
 * machine (the embedded data dir beside a running server, the data dir alone, or DATABASE_URL), and a bootstrap
 * key ignored on a later start says so in the output.
 */
const CLI = resolve(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'src', 'main.ts');
const running: StartProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) {
    await stopLeftoverPostmaster(join(d, 'data'));
    await rm(d, { recursive: true, force: true });
  }
});

async function dataDir(): Promise<{ env: Record<string, string>; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'sc-adminkey-'));
  dirs.push(root);
  const dir = join(root, 'data');
  return { dir, env: { SPRINTCONNECT_DATA_DIR: dir } };
}

/** `sprintconnect admin create-key ...` as its own process, with only the settings an operator would have. */
function createKey(env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(nodeBinary(), [CLI, 'admin', 'create-key', ...args], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        SPRINTCONNECT_MASTER_KEY: '',
        SPRINTCONNECT_API_KEY: '',
        SPRINTCONNECT_URL: 'http://127.0.0.1:9',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const me = (url: string, key: string) =>
  fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });

/** The audit events of the embedded cluster, read as its superuser. */
async function operatorEvents(dir: string, keyId: string) {
  const pm = (await postmasterOf(dir))!;
  const password = await readFile(join(dir, 'postgres', 'superuser-password'), 'utf8');
  const c = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pm.port}/sprintconnect`,
  });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT actor_type, actor_id, action, data FROM audit_events WHERE target_id = $1`,
      [keyId],
    );
    return rows;
  } finally {
    await c.end();
  }
}

describe('sprintconnect admin create-key (issue 10 point 7)', () => {
  it('beside a running server on the embedded data dir: prints a working admin key once, audited, and leaves that server alone', async () => {
    const { dir, env } = await dataDir();
    const server = await startReady(env);
    running.push(server.proc);
    const pm = (await postmasterOf(dir))!;

    const r = await createKey(env, ['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const key = JSON.parse(r.stdout) as { id: string; token: string; org: { slug: string } };
    expect(key.token).toMatch(/^sck_/);
    expect(key.org.slug).toBe('default');

    const who = await me(server.url, key.token);
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ kind: 'api_key', scopes: ['admin'] });
    // The running server's PostgreSQL was used, not replaced: same postmaster, still serving.
    expect(await postmasterOf(dir)).toEqual(pm);
    expect(processAlive(pm.pid)).toBe(true);
    expect(server.proc.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await operatorEvents(dir, key.id)).toEqual([
      expect.objectContaining({
        actor_type: 'system',
        actor_id: 'operator',
        action: 'api_key.created',
        data: expect.objectContaining({ scopes: ['admin'], via: 'sprintconnect admin create-key' }),
      }),
    ]);
  }, 120_000);

  it('with the server stopped: starts the cluster for the command, stops it after, and the next start accepts the key; an ignored bootstrap key is reported without being shown', async () => {
    const { dir, env } = await dataDir();
    const first = await startReady(env);
    running.push(first.proc);
    await first.proc.stop();
    expect(await postmasterOf(dir)).toBeUndefined();

    const r = await createKey(env);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^sck_\S+$/);
    expect(r.stderr).toContain('started for this command');
    expect(r.stderr).toContain('cannot show it again');
    expect(await postmasterOf(dir)).toBeUndefined();

    const ignored = `ignored-bootstrap-${'x'.repeat(32)}`;
    const next = await startReady({ ...env, SPRINTCONNECT_BOOTSTRAP_KEY: ignored });
    running.push(next.proc);
    expect((await me(next.url, token)).status).toBe(200);
    expect((await me(next.url, ignored)).status).toBe(401);
    const out = next.proc.output();
    expect(out).toContain('warning: SPRINTCONNECT_BOOTSTRAP_KEY is ignored');
    expect(out).toContain('sprintconnect admin create-key');
    expect(out).not.toContain(ignored);
  }, 120_000);

  it('with DATABASE_URL: names the org by slug when there are several, and refuses to guess', async () => {
    const t = await startTestApp();
    try {
      const other = await t.newOrg('acme');
      const env = {
        DATABASE_URL: t.database.adminUrl,
        SPRINTCONNECT_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
      };
      const guess = await createKey(env);
      expect(guess.code).toBe(1);
      expect(guess.stderr).toContain('name one with --org');
      expect(guess.stderr).toContain('acme');

      const r = await createKey(env, ['--org', 'acme', '--name', 'break-glass', '--json']);
      expect(r.code).toBe(0);
      const key = JSON.parse(r.stdout) as { token: string; name: string; org: { id: string } };
      expect(key).toMatchObject({ name: 'break-glass', org: { id: other.orgId } });
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${key.token}` },
      });
      expect(res.json()).toMatchObject({ kind: 'api_key', org: { id: other.orgId }, scopes: ['admin'] });
    } finally {
      await t.stop();
    }
  }, 60_000);

  it('without the master key it refuses and changes nothing', async () => {
    const { env, dir } = await dataDir();
    const r = await createKey(env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no master key');
    expect(await postmasterOf(dir)).toBeUndefined();
  });
});
