/**
 * A stateful 2025-era MCP server (SDK v1 Streamable HTTP, one session per `initialize`) whose tools use the
 * call stream back to their client, to show what the gateway relays (ADR 0046): `log` sends log messages of
 * every level tied to its request, `ask` elicits and `sample` samples from its client and return (and record)
 * the answer, `wait` runs until its client cancels it and records the cancellation it saw.
 */
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export interface RunningRelayProbe extends RunningServer {
  /** Answers its client gave to `ask` and `sample`, in order. */
  readonly answers: () => readonly unknown[];
  /** Tags of `wait` calls whose client cancelled them (`notifications/cancelled` aborts the handler). */
  readonly cancelled: () => readonly string[];
  /** Tags of `wait` calls running now. */
  readonly waiting: () => readonly string[];
  /** Errors its client answered `ask` and `sample` with (a refusal instead of an answer). */
  readonly refusals: () => readonly string[];
}

const LEVELS = ['debug', 'info', 'warning', 'error'] as const;

function buildServer(
  answers: unknown[],
  cancelled: string[],
  waiting: Set<string>,
  refusals: string[],
): McpServer {
  const server = new McpServer(
    { name: 'sprintconnect-test-relay-probe', version: '1.0.0' },
    { capabilities: { logging: {} } },
  );
  server.registerTool('log', { description: 'Logs one message per level, then answers' }, async (extra) => {
    for (const level of LEVELS) {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, logger: 'probe', data: `${level} message` },
      });
    }
    return { content: [{ type: 'text', text: 'logged' }] };
  });
  server.registerTool('ask', { description: 'Asks its client for a name' }, async (extra) => {
    const answer = await extra
      .sendRequest(
        {
          method: 'elicitation/create',
          params: {
            message: 'What is your name?',
            requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          },
        },
        ElicitResultSchema,
      )
      .catch((e: Error) => {
        refusals.push(e.message);
        throw e;
      });
    answers.push(answer);
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  });
  server.registerTool('sample', { description: 'Asks its client for a completion' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 5 },
      },
      CreateMessageResultSchema,
    );
    answers.push(answer);
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  });
  server.registerTool(
    'wait',
    { description: 'Runs until cancelled (at most 30 s)', inputSchema: { tag: z.string() } },
    async ({ tag }, extra) => {
      waiting.add(tag);
      try {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 30_000);
          extra.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            cancelled.push(tag);
            resolve();
          });
        });
      } finally {
        waiting.delete(tag);
      }
      return { content: [{ type: 'text', text: `done ${tag}` }] };
    },
  );
  return server;
}

export async function startRelayProbe(): Promise<RunningRelayProbe> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const answers: unknown[] = [];
  const cancelled: string[] = [];
  const waiting = new Set<string>();
  const refusals: string[] = [];
  const http = await listenLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        const id = req.headers['mcp-session-id'];
        const known = typeof id === 'string' ? sessions.get(id) : undefined;
        if (known !== undefined) return known.handleRequest(req, res, body);
        if (body?.method !== 'initialize') {
          res.writeHead(typeof id === 'string' ? 404 : 400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'No session' } }),
          );
          return;
        }
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sid) => {
            sessions.set(sid, transport);
          },
        });
        await buildServer(answers, cancelled, waiting, refusals).connect(transport);
        await transport.handleRequest(req, res, body);
      })();
    });
  });
  return {
    url: `${http.origin}/mcp`,
    answers: () => [...answers],
    cancelled: () => [...cancelled],
    waiting: () => [...waiting],
    refusals: () => [...refusals],
    close: async () => {
      for (const t of sessions.values()) await t.close();
      await http.close();
    },
  };
}

runAsMain(import.meta, () => startRelayProbe());
