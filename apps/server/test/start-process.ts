import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pidAlive } from '../src/platform/db/embedded-owner.ts';
import { nodeBinary } from './mcp-servers/loopback.ts';

const CLI = resolve(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'src', 'main.ts');

/**
 * `sprintconnect start` as a real OS process, watched from outside as an operator would: its output, its exit,
 * and the embedded PostgreSQL under it. For faults that only a real process shows (a crash, a signal, a
 * database that dies underneath); `server-process.ts` is the simpler one for a second replica.
 */
export interface StartProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the first match of `re` in the output so far or to come. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it is not gone in 15 s. */
  stop(): Promise<void>;
}

export function spawnStart(
  env: Record<string, string>,
  opts: {
    /** Its own process group, as a shell starts a foreground job (for a terminal's Ctrl-C to the group). */
    detached?: boolean;
  } = {},
): StartProcess {
  const child = spawn(nodeBinary(), [CLI, 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      SPRINTCONNECT_MASTER_KEY: '',
      SPRINTCONNECT_BOOTSTRAP_KEY: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached === true,
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      for (const w of waiters) w();
      r({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    waitFor(re, ms = 30_000) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const m = re.exec(output);
          if (m !== null) {
            done();
            resolveMatch(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited before printing ${re}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} in ${ms} ms:\n${output}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 15_000))]);
      if (gone === undefined) child.kill('SIGKILL');
    },
  };
}

/** Starts and waits for "ready at"; returns the URL and the admin key printed on a first start. */
export async function startReady(
  env: Record<string, string>,
  opts: { detached?: boolean } = {},
): Promise<{ proc: StartProcess; url: string; key: string | undefined }> {
  const proc = spawnStart(env, opts);
  const [, url] = await proc.waitFor(/ready at (http:\/\/127\.0\.0\.1:\d+)/);
  const key = /^\s+(sck_\S+)$/m.exec(proc.output())?.[1];
  return { proc, url: url!, key };
}

/** The embedded postmaster of a data dir, from PostgreSQL's own lock file (undefined when none is there). */
export async function postmasterOf(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(join(dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/** Whether a process runs (a zombie, dead but not reaped by an init that never reaps, does not). */
export const processAlive = pidAlive;

/** After a failed test: a postmaster left running on `dataDir` gets a fast shutdown. */
export async function stopLeftoverPostmaster(dataDir: string): Promise<void> {
  const pm = await postmasterOf(dataDir);
  if (pm !== undefined && pidAlive(pm.pid)) process.kill(pm.pid, 'SIGINT');
}
