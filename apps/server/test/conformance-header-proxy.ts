/**
 * The way in for headers the official conformance CLI cannot send. `@modelcontextprotocol/conformance` 0.1.16
 * has no header or auth option for `server` runs: its scenarios connect with a bare SDK v1
 * `StreamableHTTPClientTransport(new URL(url))`, raw `fetch` and undici calls (src/scenarios/server/*.ts), and
 * the newer 0.2 line only adds per-call headers on its stateless wire. So the runner points the CLI at this
 * loopback forwarder, which adds the given headers (an API key in `Authorization`, say) to every request and
 * streams the rest through untouched, SSE included.
 *
 * It is transparent about its own address: a `Host` or `Origin` naming the proxy is rewritten to name the
 * target, and any other value (the DNS-rebinding scenario's `evil.example.com`) is forwarded as sent, so the
 * target judges exactly what the suite meant it to judge.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { listenLoopback, type RunningServer } from './mcp-servers/loopback.ts';

// RFC 9110 section 7.6.1: connection-specific fields are not forwarded by an intermediary.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Starts the forwarder on 127.0.0.1; its `url` has the target's path and query on the proxy's origin. */
export async function startHeaderProxy(
  targetUrl: string,
  headers: Record<string, string>,
): Promise<RunningServer> {
  const target = new URL(targetUrl);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  let proxyHost = '';
  const http = await listenLoopback((req, res) => {
    const out = forwardable(req.headers);
    out.host = req.headers.host === proxyHost ? target.host : req.headers.host;
    if (req.headers.origin === `http://${proxyHost}`) out.origin = target.origin;
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
    const upstream = send(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: out,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        // Flush each SSE event as it arrives: the scenarios time progress and logging notifications.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
      else res.destroy();
    });
    // The suite cancels SSE readers and closes clients mid-stream; stop the upstream call with them. Only
    // then: after a finished exchange the keep-alive socket may already serve another request.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  proxyHost = `127.0.0.1:${http.port}`;
  return { url: `${http.origin}${target.pathname}${target.search}`, close: () => http.close() };
}
