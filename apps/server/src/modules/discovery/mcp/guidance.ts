/**
 * Troubleshooting text per failure code, written for the person who registered the server. Each entry says
 * what to check and where, concretely; the failure's `message` carries the specifics of this occurrence.
 */
import type { DiscoveryFailureCode } from './types.ts';

export interface GuidanceContext {
  /** `host[:port]` of the server URL (never the path or query: those may carry tokens). */
  host: string;
}

type GuidanceWriter = (ctx: GuidanceContext) => string;

const GUIDANCE: Readonly<Record<DiscoveryFailureCode, GuidanceWriter>> = Object.freeze({
  dns_failed: ({ host }) =>
    `The hostname in ${host} does not resolve from the SprintConnect host. Check the URL for typos, that the ` +
    `name exists in the DNS that host uses (internal names need internal DNS), and run \`nslookup\` or ` +
    '`dig` for it on the machine running the SprintConnect worker.',
  connection_refused: ({ host }) =>
    `Nothing accepted a TCP connection at ${host}. Check that the MCP server is running and listening on ` +
    'that port (and on an interface SprintConnect can reach, not only 127.0.0.1 on another machine), that ' +
    "the URL's port is right, and that no firewall or security group blocks traffic from SprintConnect.",
  tls_error: ({ host }) =>
    `The TLS handshake with ${host} failed: the certificate may be expired, self-signed, issued for ` +
    'another name, or the port may not speak TLS at all. Inspect it with `openssl s_client -connect ' +
    `${host}\`; use http:// only if the server really serves plain HTTP; a certificate from a private CA ` +
    'must be trusted by the SprintConnect host.',
  unauthorized: () =>
    'The server requires credentials (HTTP 401). Add them to the server registration: an `Authorization: ' +
    'Bearer <token>` header or the API-key header the server documents, or attach an OAuth connection. If ' +
    'credentials are already set, check that the token has not expired or been revoked.',
  forbidden: () =>
    'The server refused access (HTTP 403) with the credentials given. Check that the token or API key ' +
    'grants listing tools, resources and prompts (scopes or roles), and that the server or its gateway ' +
    "allows requests from SprintConnect's egress IP addresses.",
  not_mcp: ({ host }) =>
    `${host} answered, but not as an MCP endpoint (for example an HTML page, a JSON API, or 404/405). ` +
    'Point the URL at the MCP endpoint itself rather than the website or API root: usually a path such ' +
    'as /mcp for Streamable HTTP or /sse for the older HTTP+SSE transport, and make sure the transport ' +
    'selected matches the one the server speaks.',
  timeout: ({ host }) =>
    `${host} did not answer in time. Check that the server is up and not overloaded, that no proxy or load ` +
    'balancer buffers or holds streaming (text/event-stream) responses, and, for a server that is slow ' +
    'to list its capabilities, raise the discovery timeouts.',
  protocol_error: () =>
    'The server answered over HTTP but did not follow the MCP protocol (an invalid or error reply to ' +
    'initialize or a list request). Check the server logs for the failing request and that the server ' +
    'implements MCP revision 2025-03-26 or later; update it if it is an old or experimental build.',
  egress_blocked: () =>
    "SprintConnect's outbound network policy refused the connection (see the message for the address " +
    'and rule). Private, loopback and link-local addresses are blocked by default; an operator can allow ' +
    'a private network or host with SPRINTCONNECT_EGRESS_ALLOW. Cloud metadata addresses are never allowed. ' +
    'Only the ports in SPRINTCONNECT_EGRESS_PORTS (80 and 443 by default) are used. ' +
    "A refusal by your organization's own rules (egress_denied_by_org_policy) names the rule: an admin can " +
    'change it with PUT /v1/egress-policy.',
  rate_limited: () =>
    "Your organization's outbound requests reached its per-minute rate limit (GET /v1/egress-policy shows " +
    'it). Discovery waits for the next window and tries again by itself; an admin can raise the limit up to ' +
    'the platform maximum.',
  upstream_rate_limited: ({ host }) =>
    `${host} answered HTTP 429 Too Many Requests: the MCP server (or its gateway) limits how often it may be ` +
    'called. Discovery tries again by itself, no sooner than the Retry-After the server sent. If it keeps ' +
    "happening, ask the server's operator about its rate limits, or whether SprintConnect's egress addresses " +
    'or credentials share a quota with other clients.',
  connection_closed: ({ host }) =>
    `${host} (or a proxy or load balancer in front of it) closed the connection before its answer was ` +
    'complete. Check the server logs for crashes or restarts at that time, proxy idle and response timeouts ' +
    'and body size limits, and that nothing between SprintConnect and the server cuts long-lived ' +
    'text/event-stream responses. Discovery tries again by itself.',
  unknown: () =>
    'Discovery failed for a reason SprintConnect could not classify (see the message). Try again; if it ' +
    'keeps failing, check the MCP server logs and the SprintConnect worker logs for this discovery run.',
});

export function guidanceFor(code: DiscoveryFailureCode, ctx: GuidanceContext): string {
  return GUIDANCE[code](ctx);
}
