/**
 * `@modelcontextprotocol/server-everything` (the reference server, built on the 2025-era SDK v1) as a child
 * process. Its launcher picks the transport from argv[2] (`streamableHttp` serves `/mcp`, `sse` serves
 * `/sse` + `/message`) and the port from `PORT`; it has no host option and binds every interface, so the
 * child is started with the `pin-loopback.cjs` preload, which pins it to 127.0.0.1 and reports the port
 * the kernel chose for PORT=0.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nodeBinary, type RunningServer, runAsMain, stopChild, waitForPort } from './loopback.ts';

export type EverythingTransport = 'streamable-http' | 'sse';

export interface RunningEverything extends RunningServer {
  readonly transport: EverythingTransport;
  readonly port: number;
}

const LAUNCHER_ARG: Record<EverythingTransport, string> = { 'streamable-http': 'streamableHttp', sse: 'sse' };
const ENDPOINT_PATH: Record<EverythingTransport, string> = { 'streamable-http': '/mcp', sse: '/sse' };
const MARKER = /PIN_LOOPBACK_LISTENING (\d+)/;

export async function startEverything(
  transport: EverythingTransport,
  options: { startTimeoutMs?: number } = {},
): Promise<RunningEverything> {
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const entry = createRequire(import.meta.url).resolve(
    '@modelcontextprotocol/server-everything/dist/index.js',
  );
  const preload = fileURLToPath(new URL('./pin-loopback.cjs', import.meta.url));
  const child = spawn(nodeBinary(), ['--require', preload, entry, LAUNCHER_ARG[transport]], {
    // The server logs every request to stdout; nobody reads it, so don't let a full pipe stall it.
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PORT: '0' },
  });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server-everything (${transport}) did not listen in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
      const match = MARKER.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything (${transport}) exited with ${code}: ${stderr}`));
    });
  });
  await waitForPort(port, timeoutMs);
  return {
    transport,
    port,
    url: `http://127.0.0.1:${port}${ENDPOINT_PATH[transport]}`,
    close: () => stopChild(child),
  };
}

runAsMain(import.meta, ([transport]) => startEverything(transport === 'sse' ? 'sse' : 'streamable-http'));
