import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nodeBinary } from '../../apps/server/test/mcp-servers/loopback.ts';
import { readyUrl } from '../../apps/server/test/ready-url.ts';

/** What the gateway process reports about itself: CPU (µs, as process.cpuUsage) and SQL statements sent. */
export interface GatewayStats {
  readonly cpu: { user: number; system: number };
  readonly statements: number;
}

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  stats(): Promise<GatewayStats>;
  stop(): Promise<void>;
}

const CLI = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');
const PROBE = resolve(import.meta.dirname, 'probe.ts');

/**
 * The gateway as production runs it: its own OS process, `sprintconnect start` on the bench's database, so the
 * SDK clients (in the bench process) and the gateway do not share a thread, and the CPU read is the gateway's
 * alone. `nodeArgs` (e.g. `--cpu-prof`) go to that process's node.
 */
export async function startGatewayProcess(
  databaseUrl: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sc-bench-gw-'));
  const child: ChildProcess = spawn(nodeBinary(), [...nodeArgs, '--import', PROBE, CLI, 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SPRINTCONNECT_DATA_DIR: dataDir,
      SPRINTCONNECT_BOOTSTRAP_KEY: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const url = await readyUrl(child, 'gateway process', 60_000);
  return {
    url,
    pid: child.pid!,
    stats: () =>
      new Promise<GatewayStats>((r, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the gateway process did not report its stats')),
          10_000,
        );
        child.once('message', (m) => {
          clearTimeout(timer);
          r(m as GatewayStats);
        });
        child.send('stats');
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
