import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pidAlive as alive, DataDirInUseError, type OwnerRecord } from './embedded-owner.ts';

/** One run of the `postgres` server binary on a data dir, started and stopped by us. */
export interface Postmaster {
  readonly child: ChildProcess;
  /** The server's recent stderr, for error messages. */
  stderr(): string;
}

export interface RunAs {
  uid?: number;
  gid?: number;
}

export function spawnPostmaster(bin: string, pgdata: string, port: number, as: RunAs): Postmaster {
  let stderrText = '';
  const child = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      pgdata,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=128MB',
      '-c',
      'fsync=on',
    ],
    // Its own process group (issue 8 point 14): a terminal's Ctrl-C goes to the whole foreground group, and a
    // postmaster that received it would shut down under the running service (every session ended with 57P01)
    // while SprintConnect is still draining. We stop it ourselves, last, like SIGTERM does.
    { ...as, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.on('error', () => undefined); // a failed spawn also ends in 'exit', which the callers watch
  child.stderr?.on('data', (d: Buffer) => {
    stderrText = (stderrText + d.toString()).slice(-8000);
  });
  return { child, stderr: () => stderrText };
}

/**
 * Readiness is a real connection, not log parsing. `deadlineMs` undefined waits as long as the server runs:
 * after a crash, PostgreSQL replays its WAL before it accepts connections, which may take a while.
 */
export async function waitReady(url: string, pm: Postmaster, deadlineMs: number | undefined): Promise<void> {
  const deadline = deadlineMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + deadlineMs;
  for (;;) {
    if (pm.child.exitCode !== null || pm.child.signalCode !== null)
      throw new Error(`embedded postgres exited during start:\n${pm.stderr().slice(-2000)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`embedded postgres did not accept connections in time:\n${pm.stderr().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/**
 * A postmaster left running on our data dir. Called once we own the data dir, so the SprintConnect that started
 * it is gone (issue 8 point 1): stop it before starting our own. Without an owner record (a data dir from before
 * owner records, or a postmaster started by hand) a postmaster whose parent still runs is not ours to stop.
 */
export async function stopOrphan(
  pgdata: string,
  dataDir: string,
  previous: OwnerRecord | undefined,
  log: (m: string) => void,
): Promise<void> {
  const text = await readFile(join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  if (previous === undefined) {
    const parent = await parentOf(pid);
    if (parent !== undefined && parent > 1 && parent !== process.pid && alive(parent)) {
      const pgPort = Number(lines[3]);
      throw new DataDirInUseError(dataDir, {
        pid: parent,
        host: hostname(),
        ...(Number.isInteger(pgPort) ? { pgPort } : {}),
      });
    }
  }
  const owner = previous === undefined ? '' : ` (its SprintConnect, pid ${previous.pid}, is gone)`;
  log(`embedded postgres: stopping orphaned server (pid ${pid}) left by an earlier run${owner}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
