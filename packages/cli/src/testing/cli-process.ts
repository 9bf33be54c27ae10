import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../../../apps/server/test/harness.ts';
import { freePort } from '../../../../apps/server/test/oauth-browser.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'packages', 'cli', 'src', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` from the repository root as a child process and collects what it prints. */
export function runProcess(command: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the real `sprintconnect` executable as a child process. Asynchronously: the server under test lives in
 * this process's event loop, so a blocking spawnSync would deadlock it.
 */
export function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runProcess(NODE, [MAIN, ...args], env);
}

export interface CliServer {
  t: TestApp;
  url: string;
  /** SPRINTCONNECT_URL and SPRINTCONNECT_API_KEY (the admin key) for the CLI. */
  env: Record<string, string>;
  /** The API called directly, to compare the CLI's output with: status and parsed body. */
  // biome-ignore lint/suspicious/noExplicitAny: tests compare these bodies whole or probe them by path
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * A real server on a real socket, its public URL the address it listens on (so tokens it issues are for it),
 * loopback MCP servers and identity providers allowed.
 */
export async function startCliServer(): Promise<CliServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_PUBLIC_URL: url },
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  return {
    t,
    url,
    env: { SPRINTCONNECT_URL: url, SPRINTCONNECT_API_KEY: t.adminKey },
    async api(method, path, body, token = t.adminKey) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    stop: () => t.stop(),
  };
}
