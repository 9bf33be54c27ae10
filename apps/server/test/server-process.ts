import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_EGRESS_PORTS, TEST_MASTER_KEY } from './constants.ts';
import { nodeBinary } from './mcp-servers/loopback.ts';
import { readyUrl } from './ready-url.ts';

export interface ServerProcess {
  readonly url: string;
  /** Sends `signal` (e.g. SIGKILL: a crash that runs no cleanup) and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const CLI = resolve(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'src', 'main.ts');

/**
 * A second SprintConnect as a real OS process (`sprintconnect start`) on the given database, for claims that
 * must hold across processes: its own pools, caches and LISTEN connection, nothing shared in memory.
 */
export async function startServerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sc-proc-'));
  const child: ChildProcess = spawn(nodeBinary(), [CLI, 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SPRINTCONNECT_MASTER_KEY: TEST_MASTER_KEY.toString('base64'),
      SPRINTCONNECT_DATA_DIR: dataDir,
      SPRINTCONNECT_BOOTSTRAP_KEY: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SPRINTCONNECT_EGRESS_PORTS: TEST_EGRESS_PORTS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await readyUrl(child, 'server process', 30_000);
  return {
    url,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
