/**
 * Shared plumbing for the test MCP servers in this folder: listen on 127.0.0.1 port 0, close without
 * waiting for idle keep-alive sockets, poll a port for readiness, and run any server either in-process
 * (import and call its `start*`) or as a child process (`node <file>.ts`, which prints its URL).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every test server returns: where to reach it and how to stop it. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LoopbackHttpServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1 with a kernel-chosen port. */
export function listenLoopback(handler: RequestListener): Promise<LoopbackHttpServer> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            // Hanging and streaming servers keep sockets open forever; drop them so close() returns.
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A URL on 127.0.0.1 where nothing listens: bind a free port, then release it. */
export async function closedPortUrl(path = '/mcp'): Promise<string> {
  const probe = await listenLoopback((_req, res) => res.end());
  await probe.close();
  return `${probe.origin}${path}`;
}

/** Resolves once a TCP connect to 127.0.0.1:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not accept connections in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The Node binary for child processes: this process's own when it is Node 24+ (vitest under npm/npx),
 * else the `node` package's binary in the nearest node_modules/.bin (the repo pins Node 24 there).
 */
export function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return process.execPath;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', '.bin', 'node');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no Node 24 found: run under Node 24 or install the node package');
    dir = parent;
  }
}

const URL_LINE_PREFIX = 'MCP_TEST_SERVER_URL ';

/**
 * Makes a server module runnable as `node <file>.ts [args]`: starts it, prints one
 * `MCP_TEST_SERVER_URL <url>` line on stdout, and stops it on SIGTERM/SIGINT.
 */
export function runAsMain(meta: ImportMeta, start: (args: string[]) => Promise<RunningServer>): void {
  if (!meta.main) return;
  void start(process.argv.slice(2)).then(
    (running) => {
      process.stdout.write(`${URL_LINE_PREFIX}${running.url}\n`);
      const stop = () => void running.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      process.stderr.write(`failed to start: ${String(error)}\n`);
      process.exit(1);
    },
  );
}

/** Runs one of this folder's server modules as a child process and waits for its URL line. */
export function spawnTestServer(file: URL, args: string[] = [], timeoutMs = 15_000): Promise<RunningServer> {
  const child = spawn(nodeBinary(), [fileURLToPath(file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file.pathname} did not print its URL in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith(URL_LINE_PREFIX));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stdout.resume();
      resolve({ url: line.slice(URL_LINE_PREFIX.length).trim(), close: () => stopChild(child) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file.pathname} exited with ${code} before printing its URL; stderr: ${stderr}`));
    });
  });
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export function stopChild(child: ReturnType<typeof spawn>, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
