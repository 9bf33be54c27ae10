/**
 * Answers every request with one fixed HTTP status (401 with a Bearer challenge by default, as an MCP
 * server behind OAuth does for a request without a token: MCP spec, basic/authorization).
 */
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export interface StatusServerOptions {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  path?: string;
}

export async function startStatus(options: StatusServerOptions = {}): Promise<RunningServer> {
  const status = options.status ?? 401;
  const headers =
    options.headers ??
    (status === 401
      ? { 'www-authenticate': 'Bearer realm="mcp"', 'content-type': 'application/json' }
      : { 'content-type': 'application/json' });
  const body =
    options.body ?? JSON.stringify({ error: status === 401 ? 'invalid_token' : `status ${status}` });
  const http = await listenLoopback((req, res) => {
    req.resume();
    res.writeHead(status, headers).end(body);
  });
  return { url: `${http.origin}${options.path ?? '/mcp'}`, close: () => http.close() };
}

runAsMain(import.meta, ([status]) => startStatus({ status: status === undefined ? 401 : Number(status) }));
