/**
 * Test oracles: list an MCP server's capabilities with nothing but fetch and hand-written JSON-RPC, so a
 * discovery result can be checked against what the server sends on the wire, independently of the SDK.
 * Both speak the 2025-era handshake (MCP spec 2025-11-25, basic/lifecycle): initialize, then
 * notifications/initialized, then each advertised list, following every `nextCursor`.
 *
 * - Streamable HTTP (basic/transports): every message is a POST; a response is either application/json or
 *   an SSE stream carrying it; the `Mcp-Session-Id` from initialize goes on every later request.
 * - HTTP+SSE (2024-11-05 transports): a GET opens the event stream, whose `endpoint` event names the URL
 *   to POST to; responses arrive as `message` events on the stream.
 */

type Json = Record<string, unknown>;

export interface RawListing {
  protocolVersion: string;
  serverInfo: Json;
  capabilities: Json;
  instructions?: string;
  tools: Json[];
  resources: Json[];
  resourceTemplates: Json[];
  prompts: Json[];
  /** Requests sent per list method (pages). */
  pages: Record<string, number>;
}

export interface RawListOptions {
  protocolVersion: string;
  capabilities: Json;
  clientInfo: { name: string; version: string };
  headers?: Record<string, string>;
}

interface SseEvent {
  event: string;
  data: string;
}

/** Incremental text/event-stream parser (WHATWG HTML, server-sent events; enough for JSON-RPC frames). */
class SseParser {
  private buffer = '';

  feed(text: string): SseEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}

type Send = (message: Json) => Promise<Json | undefined>;

/** The handshake and listing, over whichever `send` the transport provides. */
async function listOver(send: Send, options: RawListOptions): Promise<RawListing> {
  let nextId = 1;
  const request = async (method: string, params?: Json): Promise<Json> => {
    const id = nextId++;
    const reply = await send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    if (reply === undefined || reply['id'] !== id) throw new Error(`${method}: no response`);
    if (reply['error'] !== undefined) throw new Error(`${method}: ${JSON.stringify(reply['error'])}`);
    return reply['result'] as Json;
  };
  const init = await request('initialize', {
    protocolVersion: options.protocolVersion,
    capabilities: options.capabilities,
    clientInfo: options.clientInfo,
  });
  await send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const capabilities = (init['capabilities'] ?? {}) as Json;
  const pages: Record<string, number> = {};
  const listAll = async (method: string, key: string): Promise<Json[]> => {
    const items: Json[] = [];
    let cursor: string | undefined;
    do {
      pages[method] = (pages[method] ?? 0) + 1;
      const result = await request(method, cursor === undefined ? undefined : { cursor });
      items.push(...((result[key] ?? []) as Json[]));
      cursor = typeof result['nextCursor'] === 'string' ? result['nextCursor'] : undefined;
    } while (cursor !== undefined);
    return items;
  };
  return {
    protocolVersion: String(init['protocolVersion']),
    serverInfo: (init['serverInfo'] ?? {}) as Json,
    capabilities,
    ...(typeof init['instructions'] === 'string' ? { instructions: init['instructions'] } : {}),
    tools: capabilities['tools'] ? await listAll('tools/list', 'tools') : [],
    resources: capabilities['resources'] ? await listAll('resources/list', 'resources') : [],
    resourceTemplates: capabilities['resources']
      ? await listAll('resources/templates/list', 'resourceTemplates')
      : [],
    prompts: capabilities['prompts'] ? await listAll('prompts/list', 'prompts') : [],
    pages,
  };
}

/** Lists a Streamable HTTP server with plain POSTs. */
export async function rawListStreamableHttp(url: string, options: RawListOptions): Promise<RawListing> {
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  const send: Send = async (message) => {
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
      ...(protocolVersion === undefined ? {} : { 'mcp-protocol-version': protocolVersion }),
    };
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(message) });
    sessionId = res.headers.get('mcp-session-id') ?? sessionId;
    if (!('id' in message)) {
      await res.body?.cancel();
      if (res.status !== 202) throw new Error(`${String(message['method'])}: HTTP ${res.status}`);
      return undefined;
    }
    if (!res.ok) throw new Error(`${String(message['method'])}: HTTP ${res.status} ${await res.text()}`);
    const type = res.headers.get('content-type') ?? '';
    // A POST's SSE stream ends once the response is sent, so reading it whole is enough. Events with
    // empty data are resumability primers (an event id and no message) and carry nothing to parse.
    const candidates: Json[] = type.includes('text/event-stream')
      ? new SseParser()
          .feed(`${await res.text()}\n\n`)
          .filter((e) => e.data.trim() !== '')
          .map((e) => JSON.parse(e.data) as Json)
      : [JSON.parse(await res.text()) as Json];
    const reply = candidates.find((m) => m['id'] === message['id'] && ('result' in m || 'error' in m));
    if (message['method'] === 'initialize' && reply?.['result']) {
      protocolVersion = String((reply['result'] as Json)['protocolVersion']);
    }
    return reply;
  };
  try {
    return await listOver(send, options);
  } finally {
    if (sessionId !== undefined) {
      const headers = { ...options.headers, 'mcp-session-id': sessionId };
      await fetch(url, { method: 'DELETE', headers }).then(
        (r) => r.body?.cancel(),
        () => undefined,
      );
    }
  }
}

/** Lists an HTTP+SSE (2024-11-05 transport) server: GET the stream, POST to the endpoint it names. */
export async function rawListSse(url: string, options: RawListOptions): Promise<RawListing> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { ...options.headers, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (!res.ok || res.body === null) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const parser = new SseParser();
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      events.push(...parser.feed(decoder.decode(chunk, { stream: true })));
      for (const wake of waiters.splice(0)) wake();
    }
  })().catch(() => undefined);
  const next = async (match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = events.findIndex(match);
      if (i !== -1) return events.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error('SSE: timed out waiting for an event');
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 100);
      });
    }
  };
  try {
    const endpoint = new URL((await next((e) => e.event === 'endpoint')).data, url);
    const send: Send = async (message) => {
      const post = await fetch(endpoint, {
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      await post.body?.cancel();
      if (post.status < 200 || post.status >= 300) throw new Error(`POST ${endpoint}: HTTP ${post.status}`);
      if (!('id' in message)) return undefined;
      const reply = await next(
        (e) => e.event === 'message' && (JSON.parse(e.data) as Json)['id'] === message['id'],
      );
      return JSON.parse(reply.data) as Json;
    };
    return await listOver(send, options);
  } finally {
    abort.abort();
    await pump;
  }
}
