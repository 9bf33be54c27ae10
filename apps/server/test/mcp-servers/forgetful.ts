/**
 * A stateful 2025-era MCP server (SDK v1 Streamable HTTP, one session per `initialize`) that can forget every
 * session at once, as a restarted or expiring upstream does: a request naming a forgotten session is answered
 * 404, which the MCP transports (2025-11-25, "Session Management") tell a client to answer with a new
 * `initialize`. Counts the sessions it opened so tests can see re-initialization and session reuse.
 */
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export interface RunningForgetful extends RunningServer {
  /** Sessions opened so far (each `initialize`). */
  readonly initialized: () => number;
  /** Drops every session: their next request is a 404. */
  forget(): void;
}

function buildServer(): McpServer {
  const server = new McpServer({ name: 'sprintconnect-test-forgetful', version: '1.0.0' });
  server.registerTool('hello', { description: 'Says hello' }, async () => ({
    content: [{ type: 'text', text: 'hello' }],
  }));
  return server;
}

export async function startForgetful(): Promise<RunningForgetful> {
  let sessions = new Map<string, StreamableHTTPServerTransport>();
  let initialized = 0;
  const http = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        const id = req.headers['mcp-session-id'];
        const known = typeof id === 'string' ? sessions.get(id) : undefined;
        if (known !== undefined) return known.handleRequest(req, res, body);
        if (typeof id === 'string' || body?.method !== 'initialize') {
          res.writeHead(typeof id === 'string' ? 404 : 400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: null,
              error: { code: -32001, message: 'Session not found' },
            }),
          );
          return;
        }
        const own = sessions;
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sid) => {
            initialized += 1;
            own.set(sid, transport);
          },
        });
        await buildServer().connect(transport);
        await transport.handleRequest(req, res, body);
      })();
    });
  });
  return {
    url: `${http.origin}/mcp`,
    initialized: () => initialized,
    forget() {
      for (const t of sessions.values()) void t.close();
      sessions = new Map();
    },
    close: async () => {
      for (const t of sessions.values()) await t.close();
      await http.close();
    },
  };
}

runAsMain(import.meta, () => startForgetful());
