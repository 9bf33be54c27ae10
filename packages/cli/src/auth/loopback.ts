import { createServer } from 'node:http';

export interface Loopback {
  /** The `state` the authorization request must carry and the callback must return. */
  readonly state: string;
  /** `http://127.0.0.1:<port>/callback`, the redirect_uri (RFC 8252 §7.3). */
  readonly redirectUri: string;
  /** The full callback URL once the browser comes back with this login's state. */
  readonly callback: Promise<URL>;
  close(): void;
}

const page = (title: string, text: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * A one-shot HTTP server on 127.0.0.1 (any free port) for the authorization response. The callback must carry
 * `state`; a reply with another state or an error ends the wait with an error. Other paths get 404.
 */
export async function startLoopback(state: string, timeoutMs: number): Promise<Loopback> {
  let settle: { resolve(u: URL): void; reject(e: Error): void } | undefined;
  const callback = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A failure before the caller awaits (e.g. while a browser opens) is theirs to see, not an unhandled rejection.
  callback.catch(() => undefined);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    const reply = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(title, text));
    };
    if (req.method !== 'GET' || url.pathname !== '/callback') return reply(404, 'Not found', '');
    if (url.searchParams.get('state') !== state) {
      reply(400, 'Sign-in failed', 'This reply does not belong to the running login. Run it again.');
      return settle?.reject(new Error('the sign-in reply did not carry this login’s state; run login again'));
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      reply(400, 'Sign-in failed', 'Return to the terminal for details.');
      const why = url.searchParams.get('error_description') ?? error;
      return settle?.reject(new Error(`sign-in failed: ${why.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}`));
    }
    reply(200, 'Signed in to SprintConnect', 'You can close this tab and return to the terminal.');
    settle?.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the loopback server has no TCP port');
  const redirectUri = `http://127.0.0.1:${addr.port}/callback`;
  const timer = setTimeout(
    () => settle?.reject(new Error(`no sign-in within ${Math.round(timeoutMs / 1000)} s; run login again`)),
    timeoutMs,
  );
  const close = () => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  };
  return { state, redirectUri, callback, close };
}
