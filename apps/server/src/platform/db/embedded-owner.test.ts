import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDataDir, DataDirInUseError, OWNER_FILE, type OwnerRecord } from './embedded-owner.ts';

/** The owner record of an embedded data dir (ADR 0021): who may run its PostgreSQL, and who is an orphan. */
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sc-owner-'));
  dirs.push(d);
  return d;
}
const write = (d: string, r: OwnerRecord) => writeFile(join(d, OWNER_FILE), JSON.stringify(r));
const read = async (d: string) => JSON.parse(await readFile(join(d, OWNER_FILE), 'utf8')) as OwnerRecord;

/** A process that is certainly gone: it ran and was reaped. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

describe('claiming an embedded data dir', () => {
  it('records this process with its ports and URL, and release removes the record', async () => {
    const d = await dir();
    const own = await claimDataDir(d, '/data');
    expect(own.previous).toBeUndefined();
    await own.update({ pgPort: 5555 });
    await own.update({ url: 'http://127.0.0.1:8080' });
    expect(await read(d)).toMatchObject({
      pid: process.pid,
      host: hostname(),
      pgPort: 5555,
      url: 'http://127.0.0.1:8080',
    });
    await own.release();
    await expect(readFile(join(d, OWNER_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses while the owner runs (here: this very process), naming its pid, URL and port', async () => {
    const d = await dir();
    const own = await claimDataDir(d, '/data');
    await own.update({ pgPort: 5555, url: 'http://127.0.0.1:8080' });
    const refused = await claimDataDir(d, '/data').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(
      `process ${process.pid}, serving http://127.0.0.1:8080, its PostgreSQL on 127.0.0.1:5555`,
    );
    expect((refused as Error).message).toContain(`kill ${process.pid}`);
    expect(await read(d)).toMatchObject({ pgPort: 5555 }); // untouched
    await own.release();
  });

  it('takes over the record of an owner that is gone and reports it as the previous owner', async () => {
    const d = await dir();
    const gone: OwnerRecord = { pid: await deadPid(), host: hostname(), pgPort: 4444 };
    await write(d, gone);
    const own = await claimDataDir(d, '/data');
    expect(own.previous).toEqual(gone);
    expect((await read(d)).pid).toBe(process.pid);
    await own.release();
  });

  it('does not mistake a reused pid for the owner: a live process with another start time is not it', async () => {
    const d = await dir();
    const own = await claimDataDir(d, '/data');
    const mine = await read(d);
    await own.release();
    expect(mine.startTicks).toBeDefined(); // Linux: /proc/<pid>/stat
    // The parent process is alive, but the record says it started at another time: that was another process.
    await write(d, { ...mine, pid: process.ppid, startTicks: String(Number(mine.startTicks) + 12345) });
    const next = await claimDataDir(d, '/data');
    expect(next.previous?.pid).toBe(process.ppid);
    await next.release();
  });

  it('fails closed on a record from another host: it cannot check that process, so it refuses', async () => {
    const d = await dir();
    await write(d, { pid: await deadPid(), host: 'elsewhere.example' });
    await expect(claimDataDir(d, '/data')).rejects.toThrow(/on host elsewhere\.example/);
  });

  it('release leaves alone a record another process made after ours', async () => {
    const d = await dir();
    const own = await claimDataDir(d, '/data');
    const other: OwnerRecord = { pid: process.ppid, host: hostname() };
    await write(d, other);
    await own.release();
    expect(await read(d)).toEqual(other);
  });
});
