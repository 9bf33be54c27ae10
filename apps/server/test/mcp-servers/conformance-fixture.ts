/**
 * Our fixture for the official `@modelcontextprotocol/conformance` server scenarios (issue 11 point 10):
 * every tool, resource and prompt the suite asks for by name, served over Streamable HTTP on 127.0.0.1.
 *
 * Built on SDK v2 (`McpServer` + `NodeStreamableHTTPServerTransport`) in its 2025-era *stateful* shape,
 * one session per `initialize`, like the suite's reference fixture: the suite's client is SDK v1 speaking
 * 2025-11-25, and its sampling/elicitation scenarios need the client's answer (a separate POST) to reach the
 * server instance still waiting for it, which only a session gives. An event store makes streams resumable
 * (SEP-1699), and Host/Origin are checked against loopback names (DNS rebinding, GHSA-w48q-cv73-mx4w).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  localhostHostValidation,
  localhostOriginValidation,
  NodeStreamableHTTPServerTransport,
} from '@modelcontextprotocol/node';
import { type EventStore, type JSONRPCMessage, McpServer } from '@modelcontextprotocol/server';
import { registerConformancePrompts, registerConformanceResources } from './conformance-fixture-content.ts';
import { registerConformanceTools } from './conformance-fixture-tools.ts';
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export const CONFORMANCE_FIXTURE_NAME = 'sprintconnect-conformance-fixture';

function createEventStore(): EventStore {
  const events = new Map<string, { streamId: string; message: JSONRPCMessage }>();
  let sequence = 0;
  return {
    storeEvent(streamId, message) {
      // Zero-padded so that string order is arrival order within a stream.
      const eventId = `${streamId}::${String(++sequence).padStart(12, '0')}`;
      events.set(eventId, { streamId, message });
      return Promise.resolve(eventId);
    },
    async replayEventsAfter(lastEventId, { send }) {
      const streamId = lastEventId.split('::')[0] ?? '';
      for (const [eventId, event] of events) {
        if (event.streamId === streamId && eventId > lastEventId) await send(eventId, event.message);
      }
      return streamId;
    },
  };
}

function createFixtureServer(): McpServer {
  const server = new McpServer(
    { name: CONFORMANCE_FIXTURE_NAME, version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
    },
  );
  registerConformanceTools(server);
  registerConformanceResources(server, new Set());
  registerConformancePrompts(server);
  return server;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

function readJson(req: IncomingMessage): Promise<{ ok: true; body: unknown } | { ok: false }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false });
      }
    });
  });
}

const isInitialize = (body: unknown) =>
  typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';

export interface ConformanceFixtureOptions {
  /**
   * When set, every request must carry exactly this `Authorization` value, else 401: an endpoint behind a
   * key, like the gateway, so tests can show the runner's headers reach every request the suite makes.
   */
  readonly requireAuthorization?: string;
}

/** Starts the fixture on 127.0.0.1 (kernel-chosen port); its MCP endpoint is `/mcp`. */
export async function startConformanceFixture(
  options: ConformanceFixtureOptions = {},
): Promise<RunningServer> {
  const sessions = new Map<string, { transport: NodeStreamableHTTPServerTransport; server: McpServer }>();
  const validHost = localhostHostValidation();
  const validOrigin = localhostOriginValidation();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    if (
      options.requireAuthorization !== undefined &&
      req.headers.authorization !== options.requireAuthorization
    ) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (req.method !== 'POST') {
      if (!existing) return jsonRpcError(res, 400, -32000, 'Invalid or missing session ID');
      return existing.transport.handleRequest(req, res);
    }
    const parsed = await readJson(req);
    if (!parsed.ok) return jsonRpcError(res, 400, -32700, 'Parse error');
    if (existing) return existing.transport.handleRequest(req, res, parsed.body);
    if (sessionId !== undefined) return jsonRpcError(res, 404, -32001, 'Session not found');
    if (!isInitialize(parsed.body)) return jsonRpcError(res, 400, -32000, 'Invalid or missing session ID');

    const server = createFixtureServer();
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: createEventStore(),
      // SEP-1699: tell a client whose stream we close how soon to come back.
      retryInterval: 500,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, parsed.body);
  }

  const http = await listenLoopback((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, `Internal error: ${String(error)}`);
    });
  });
  return {
    url: `${http.origin}/mcp`,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map(({ server }) => server.close()));
      sessions.clear();
      await http.close();
    },
  };
}

runAsMain(import.meta, ([authorization]) =>
  startConformanceFixture(authorization === undefined ? {} : { requireAuthorization: authorization }),
);
