import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness.ts';
import {
  postmasterOf,
  processAlive,
  type StartProcess,
  spawnStart,
  startReady,
  stopLeftoverPostmaster,
} from '../test/start-process.ts';

/**
 * Issue 8 points 1 and 14, with real `sprintconnect start` processes on a real embedded PostgreSQL: who owns a
 * data dir, what a second start does, what is left after a kill -9, and what Ctrl-C does.
 */
const running: StartProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) {
    await stopLeftoverPostmaster(join(d, 'data')); // a failed test may leave an orphan behind
    await rm(d, { recursive: true, force: true });
  }
});

async function dataDir(): Promise<{ env: Record<string, string>; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'sc-own-'));
  dirs.push(root);
  const dir = join(root, 'data');
  return { dir, env: { SPRINTCONNECT_DATA_DIR: dir } };
}

const register = (url: string, key: string, name: string) =>
  fetch(`${url}/v1/servers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, url: `https://${name}.example/mcp`, autoDiscover: false }),
  });

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('one SprintConnect per data dir (issue 8 point 1)', () => {
  it('a second start on a data dir in use refuses with the running pid, URL, port and how to stop it, and the first keeps serving', async () => {
    const { dir, env } = await dataDir();
    const first = await startReady(env);
    running.push(first.proc);
    const pm = (await postmasterOf(dir))!;

    const second = spawnStart(env);
    running.push(second);
    const { code } = await second.exited;
    const said = second.output();
    expect(code).toBe(1);
    expect(said).toContain('SprintConnect is already running on the data dir');
    expect(said).toContain(`process ${first.proc.pid}`);
    expect(said).toContain(`serving ${first.url}`);
    expect(said).toContain(`127.0.0.1:${pm.port}`);
    expect(said).toContain(`kill ${first.proc.pid}`);
    expect(said).toContain('Nothing was changed');

    // Touched nothing: the same postmaster runs, and the first instance still reads and writes.
    expect(await postmasterOf(dir)).toEqual(pm);
    expect(processAlive(pm.pid)).toBe(true);
    expect((await register(first.url, first.key!, 'after-refusal')).status).toBe(201);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  }, 90_000);

  it('after a kill -9 of SprintConnect, the next start stops the orphaned postmaster and serves the same data', async () => {
    const { dir, env } = await dataDir();
    const first = await startReady(env);
    running.push(first.proc);
    expect((await register(first.url, first.key!, 'kept')).status).toBe(201);
    const orphan = (await postmasterOf(dir))!;

    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    expect(processAlive(orphan.pid)).toBe(true); // the postmaster outlives its owner: an orphan

    const next = await startReady(env);
    running.push(next.proc);
    expect(next.proc.output()).toContain(`stopping orphaned server (pid ${orphan.pid})`);
    expect(next.proc.output()).toContain(`its SprintConnect, pid ${first.proc.pid}, is gone`);
    expect(processAlive(orphan.pid)).toBe(false);
    const list = await fetch(`${next.url}/v1/servers`, { headers: { authorization: `Bearer ${first.key}` } });
    expect(((await list.json()) as { items: { name: string }[] }).items.map((s) => s.name)).toEqual(['kept']);
  }, 90_000);
});

describe('Ctrl-C (issue 8 point 14)', () => {
  it('SIGINT to the process group, as a terminal sends it, stops like SIGTERM: exit 0, PostgreSQL shut down cleanly, nothing else said', async () => {
    const { dir, env } = await dataDir();
    const first = await startReady(env, { detached: true });
    running.push(first.proc);
    const pm = (await postmasterOf(dir))!;
    // Traffic while the signal lands: pooled connections are checked out when PostgreSQL would go away.
    const load = (async () => {
      while (first.proc.child.exitCode === null)
        await fetch(`${first.url}/v1/servers`, { headers: { authorization: `Bearer ${first.key}` } }).catch(
          () => undefined,
        );
    })();

    const before = first.proc.output().length;
    process.kill(-first.proc.pid, 'SIGINT'); // the whole foreground process group, like Ctrl-C
    const exit = await first.proc.exited;
    await load;
    const after = first.proc.output().slice(before);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(after.trim()).toBe('SIGINT: stopping...');
    // PostgreSQL removes its postmaster.pid only at the end of a clean shutdown (after its checkpoint).
    expect(await postmasterOf(dir)).toBeUndefined();
    await eventually(async () => (processAlive(pm.pid) ? undefined : true), 5000, 'postmaster gone');
    expect(await exists(join(dir, 'postgres', 'sprintconnect-owner.json'))).toBe(false);
  }, 90_000);
});
