/**
 * A small MCP server over Streamable HTTP that serves whatever catalogue `getCatalog()` returns at the time
 * of each request, with cursor pagination of every list (MCP spec, server/utilities/pagination: the cursor
 * is opaque, a missing `nextCursor` ends the list, an invalid cursor is -32602).
 *
 * Built on the SDK v2 `createMcpHandler`, which serves the 2026-07-28 revision statelessly (one server
 * instance per HTTP request) and, unless `legacy: 'reject'`, 2025-era clients through its stateless legacy
 * fallback. The low-level `Server` is used rather than `McpServer` because `McpServer` always returns a
 * whole list in one page and pagination is exactly what these servers must exercise.
 */
import type { IncomingMessage } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  type Implementation,
  type Prompt,
  ProtocolError,
  ProtocolErrorCode,
  type Resource,
  type ResourceTemplateType,
  Server,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/server';
import { listenLoopback, type RunningServer } from './loopback.ts';

export interface Catalog {
  serverInfo: Implementation;
  instructions?: string;
  tools?: Tool[];
  /** `resources` and `resourceTemplates` share the `resources` capability: either one advertises it. */
  resources?: Resource[];
  resourceTemplates?: ResourceTemplateType[];
  prompts?: Prompt[];
  /** What `tools/call` of a tool answers (by tool name); default: one text item `called <name>`. */
  results?: Record<string, { content: unknown[]; structuredContent?: Record<string, unknown> }>;
}

export interface CatalogServerOptions {
  /** Items per list page; a list longer than this has a `nextCursor`. Default 50. */
  pageSize?: number;
  /** How 2025-era clients are served: `'stateless'` (default) or `'reject'` (2026-07-28 only). */
  legacy?: 'stateless' | 'reject';
  /** Path of the MCP endpoint. Default `/mcp`. */
  path?: string;
  /** Sees every HTTP request as it arrives (its headers), before it is served. */
  onRequest?: (req: IncomingMessage) => void;
}

export interface RunningCatalogServer extends RunningServer {
  /** Requests per JSON-RPC method seen so far (both eras), so tests can assert how a list was fetched. */
  readonly requestCounts: ReadonlyMap<string, number>;
}

const CURSOR_PREFIX = 'offset:';

/** One page of `items` starting at the offset the opaque cursor encodes. */
export function page<T>(items: readonly T[], cursor: string | undefined, pageSize: number) {
  let start = 0;
  if (cursor !== undefined) {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    const offset = Number(decoded.slice(CURSOR_PREFIX.length));
    if (
      !decoded.startsWith(CURSOR_PREFIX) ||
      !Number.isInteger(offset) ||
      offset < 0 ||
      offset > items.length
    ) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${cursor}`);
    }
    start = offset;
  }
  const end = start + pageSize;
  const nextCursor =
    end < items.length ? Buffer.from(`${CURSOR_PREFIX}${end}`, 'utf8').toString('base64url') : undefined;
  return { items: items.slice(start, end), ...(nextCursor === undefined ? {} : { nextCursor }) };
}

function capabilitiesOf(catalog: Catalog): ServerCapabilities {
  return {
    ...(catalog.tools ? { tools: { listChanged: true } } : {}),
    ...(catalog.resources || catalog.resourceTemplates ? { resources: { listChanged: true } } : {}),
    ...(catalog.prompts ? { prompts: { listChanged: true } } : {}),
  };
}

function buildServer(catalog: Catalog, pageSize: number): Server {
  const server = new Server(catalog.serverInfo, {
    capabilities: capabilitiesOf(catalog),
    ...(catalog.instructions === undefined ? {} : { instructions: catalog.instructions }),
  });
  if (catalog.tools) {
    const tools = catalog.tools;
    server.setRequestHandler('tools/list', (request) => {
      const { items, ...rest } = page(tools, request.params?.cursor, pageSize);
      return { tools: items, ...rest };
    });
    server.setRequestHandler('tools/call', (request) => {
      const tool = tools.find((t) => t.name === request.params.name);
      if (!tool) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      }
      return (
        (catalog.results?.[tool.name] as { content: [] } | undefined) ?? {
          content: [{ type: 'text', text: `called ${tool.name}` }],
        }
      );
    });
  }
  if (catalog.resources || catalog.resourceTemplates) {
    const resources = catalog.resources ?? [];
    const templates = catalog.resourceTemplates ?? [];
    server.setRequestHandler('resources/list', (request) => {
      const { items, ...rest } = page(resources, request.params?.cursor, pageSize);
      return { resources: items, ...rest };
    });
    server.setRequestHandler('resources/templates/list', (request) => {
      const { items, ...rest } = page(templates, request.params?.cursor, pageSize);
      return { resourceTemplates: items, ...rest };
    });
    server.setRequestHandler('resources/read', (request) => {
      const resource = resources.find((r) => r.uri === request.params.uri);
      if (!resource) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown resource: ${request.params.uri}`);
      }
      return {
        contents: [{ uri: resource.uri, mimeType: 'text/plain', text: `contents of ${resource.name}` }],
      };
    });
  }
  if (catalog.prompts) {
    const prompts = catalog.prompts;
    server.setRequestHandler('prompts/list', (request) => {
      const { items, ...rest } = page(prompts, request.params?.cursor, pageSize);
      return { prompts: items, ...rest };
    });
    server.setRequestHandler('prompts/get', (request) => {
      const prompt = prompts.find((p) => p.name === request.params.name);
      if (!prompt) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      }
      return { messages: [{ role: 'user', content: { type: 'text', text: `prompt ${prompt.name}` } }] };
    });
  }
  return server;
}

/** Starts the catalogue server on 127.0.0.1 (port chosen by the kernel). */
export async function startCatalogServer(
  getCatalog: () => Catalog,
  options: CatalogServerOptions = {},
): Promise<RunningCatalogServer> {
  const pageSize = options.pageSize ?? 50;
  const path = options.path ?? '/mcp';
  const handler = createMcpHandler(() => buildServer(getCatalog(), pageSize), {
    legacy: options.legacy ?? 'stateless',
  });
  const nodeHandler = toNodeHandler(handler);
  const requestCounts = new Map<string, number>();
  const http = await listenLoopback((req, res) => {
    options.onRequest?.(req);
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Read the body once to count the JSON-RPC method, then hand the parsed body to the SDK.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let parsed: unknown;
      if (chunks.length > 0) {
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // The stream is drained, so the SDK could not read it again: answer the parse error here.
          const error = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(error));
          return;
        }
      }
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
        const method = (message as { method?: unknown } | undefined)?.method;
        if (typeof method === 'string') requestCounts.set(method, (requestCounts.get(method) ?? 0) + 1);
      }
      void nodeHandler(req, res, parsed);
    });
  });
  return {
    url: `${http.origin}${path}`,
    requestCounts,
    close: async () => {
      await handler.close();
      await http.close();
    },
  };
}
