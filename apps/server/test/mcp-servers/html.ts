/**
 * Answers every request, whatever the method or path, with 200 text/html: the shape of a URL that points
 * at a website, a login page or a reverse proxy's landing page instead of an MCP endpoint.
 */
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export const HTML_BODY = '<!doctype html><html><head><title>Welcome</title></head><body>Hello</body></html>';

export async function startHtml(path = '/mcp'): Promise<RunningServer> {
  const http = await listenLoopback((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML_BODY);
  });
  return { url: `${http.origin}${path}`, close: () => http.close() };
}

runAsMain(import.meta, () => startHtml());
