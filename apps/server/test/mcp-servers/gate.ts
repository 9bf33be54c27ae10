/**
 * A programmable front door to a real MCP server (a catalogue server behind it, on its own port): per request
 * it passes the request through (optionally after a delay), hangs, answers a fixed status (e.g. 429 with
 * Retry-After), closes the connection in the middle of a streamed answer, or drops it before answering. It records when each request
 * arrived and how it was answered, and how many passed-through requests were in flight at once, so tests can
 * assert on timing as behaviour (a retry no sooner than Retry-After) and on overlap (two runs at once).
 * Any path is served, so several registered servers can share one gate (one host).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Tool } from '@modelcontextprotocol/server';
import { startCatalogServer } from './catalog-server.ts';
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export type GateAnswer =
  | 'pass'
  | 'hang'
  | 'close-mid-stream'
  /** Drop the connection without a status line. */
  | 'reset'
  | { status: number; headers?: Record<string, string>; body?: string };

export interface GateLogEntry {
  /** Date.now() when the request arrived. */
  readonly at: number;
  readonly method: string;
  /** The JSON-RPC method, when the body had one. */
  readonly rpc: string | undefined;
  readonly answer: 'pass' | 'hang' | 'close-mid-stream' | 'reset' | number;
}

export interface RunningGate extends RunningServer {
  /** `http://127.0.0.1:<port>`: register `${origin}/<anything>`. */
  readonly origin: string;
  /**
   * How the n-th request (0-based, counted from the last `answer` call) is answered; a function also sees the
   * request's headers (to answer 401 to a request without the credential a test expects).
   */
  answer(a: GateAnswer | ((n: number, headers: IncomingHttpHeaders) => GateAnswer)): void;
  /** Delay before a passed-through request is forwarded. */
  setDelay(ms: number): void;
  readonly log: readonly GateLogEntry[];
  /** Passed-through POSTs (JSON-RPC requests) in flight now, and the most ever at once. */
  inFlight(): number;
  maxInFlight(): number;
  /** Requests held open by `hang` (or by the client not having gone away yet). */
  hanging(): number;
}

export async function startGate(
  tools: readonly Tool[] = [{ name: 'ping', inputSchema: { type: 'object' } }],
) {
  const backend = await startCatalogServer(() => ({
    serverInfo: { name: 'sprintconnect-test-gate', version: '1.0.0' },
    tools: [...tools],
  }));
  const backendUrl = new URL(backend.url);
  let decide: (n: number, headers: IncomingHttpHeaders) => GateAnswer = () => 'pass';
  let seen = 0;
  let delayMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let hanging = 0;
  const log: GateLogEntry[] = [];

  const http = await listenLoopback((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let rpc: string | undefined;
      try {
        const m = (JSON.parse(body.toString('utf8')) as { method?: unknown }).method;
        rpc = typeof m === 'string' ? m : undefined;
      } catch {
        rpc = undefined;
      }
      const answer = decide(seen, req.headers);
      seen += 1;
      const method = req.method ?? 'GET';
      log.push({ at, method, rpc, answer: typeof answer === 'object' ? answer.status : answer });
      if (answer === 'hang') {
        hanging += 1;
        res.once('close', () => {
          hanging -= 1;
        });
        return;
      }
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer === 'close-mid-stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: message\ndata: {"jsonrpc":"2.0",');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (typeof answer === 'object') {
        res
          .writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' })
          .end(answer.body ?? '{}');
        return;
      }
      const counted = method === 'POST';
      if (counted) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
      }
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (counted) inFlight -= 1;
      };
      res.once('close', finish);
      setTimeout(() => {
        const upstream = httpRequest(
          {
            host: backendUrl.hostname,
            port: backendUrl.port,
            path: backendUrl.pathname,
            method,
            headers: { ...req.headers, host: backendUrl.host },
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        res.once('close', () => upstream.destroy());
        upstream.end(body);
      }, delayMs);
    });
  });

  const gate: RunningGate = {
    url: `${http.origin}/mcp`,
    origin: http.origin,
    answer(a) {
      decide = typeof a === 'function' ? a : () => a;
      seen = 0;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    log,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    hanging: () => hanging,
    close: async () => {
      await http.close();
      await backend.close();
    },
  };
  return gate;
}

runAsMain(import.meta, () => startGate());
