import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

/**
 * How an agent reaches SprintConnect's gateway (issue 11 point 9, US-INF10): the deployment's base URL (or a full
 * `/mcp` URL), an optional virtual server slug, and who to be. The credential rides in the `Authorization` header
 * only, never in the URL (MCP authorization spec, "Token Requirements"; RFC 6750 §2.3 discouraged).
 */
export type GatewayOptions = {
  /** `https://sc.example.com`, or the endpoint itself (`https://sc.example.com/mcp/research`). */
  url: string;
  /** A virtual server's slug: connects to `/mcp/{endpoint}` instead of the org's default `/mcp`. */
  endpoint?: string;
  fetch?: typeof fetch;
  clientInfo?: { name: string; version: string };
} & ({ apiKey: string; token?: never } | { token: string | (() => Promise<string>); apiKey?: never });

const CLIENT_INFO = Object.freeze({ name: 'sprintconnect-sdk', version: '0.1.0' });

/** `base` -> `base/mcp[/slug]`; a URL that already names `/mcp...` is taken as the endpoint. */
export function gatewayEndpointUrl(url: string, endpoint?: string): URL {
  const u = new URL(url);
  if (/^\/mcp(\/|$)/.test(u.pathname)) {
    if (endpoint !== undefined) throw new TypeError('give the endpoint slug or an /mcp URL, not both');
    return u;
  }
  if (endpoint !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(endpoint)) {
    throw new TypeError(`"${endpoint}" is not a virtual server slug (lowercase letters, digits, dashes)`);
  }
  const base = u.pathname.replace(/\/+$/, '');
  u.pathname = `${base}/mcp${endpoint === undefined ? '' : `/${endpoint}`}`;
  return u;
}

/**
 * A connected MCP client (SDK v2) for one gateway endpoint: `listTools()`, `callTool()` and the rest work as
 * against any MCP server. The protocol revision is negotiated (`auto`: 2026-07-28 stateless when offered). The
 * bearer is read per request, so a token function can refresh an expiring access token.
 */
export async function connectGateway(opts: GatewayOptions): Promise<Client> {
  const url = gatewayEndpointUrl(opts.url, opts.endpoint);
  const base = opts.fetch ?? globalThis.fetch;
  const bearer = async () =>
    opts.apiKey ?? (typeof opts.token === 'function' ? await opts.token() : (opts.token as string));
  const authed: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${await bearer()}`);
    return base(input, { ...init, headers });
  };
  const client = new Client(
    { ...(opts.clientInfo ?? CLIENT_INFO) },
    { capabilities: {}, versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(new StreamableHTTPClientTransport(url, { fetch: authed }));
  return client;
}
