import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';

/** oidc-provider's own limit for form bodies. */
export const BODY_LIMIT = 56 * 1024;

/**
 * The whole body, or undefined once it is over `limit` (announced by Content-Length or reached while reading).
 * Reading then stops, so the caller must answer with `Connection: close` (closeWithStatus): the unread rest of
 * the body would otherwise sit in front of the next request on a keep-alive connection (issue 8 point 8).
 */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer | undefined> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (e: unknown) => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Answers and closes the connection after the response, as Fastify does for a body over its limit: what the
 * client is still sending is never parsed as a next request.
 */
export function closeWithStatus(res: ServerResponse, status: number, body: Record<string, string>): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('connection', 'close');
  res.end(JSON.stringify(body));
}

/**
 * A stand-in for a request whose body we already read: same method, URL, headers and socket, and the body
 * again as a fresh stream, so oidc-provider parses it as if untouched.
 */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = new PassThrough();
  stream.end(body);
  return Object.assign(stream, {
    method: req.method,
    url: req.url,
    originalUrl: (req as { originalUrl?: string }).originalUrl,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
  }) as unknown as IncomingMessage;
}

/**
 * Holds back what a handler writes to `res` until `decide(status, body)` has run (e.g. stored the response
 * for a racing duplicate), then sends it unchanged. Resolves once the response is sent.
 */
export function holdResponse(
  res: ServerResponse,
  decide: (status: number, body: Buffer) => Promise<void>,
): Promise<void> {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  const toBuffer = (c: unknown): Buffer | undefined =>
    typeof c === 'string' ? Buffer.from(c, 'utf8') : c instanceof Uint8Array ? Buffer.from(c) : undefined;
  return new Promise<void>((resolve, reject) => {
    res.write = ((chunk: unknown) => {
      const b = toBuffer(chunk);
      if (b !== undefined) chunks.push(b);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      const b = toBuffer(chunk);
      if (b !== undefined) chunks.push(b);
      const body = Buffer.concat(chunks);
      res.write = write;
      res.end = end;
      decide(res.statusCode, body)
        .then(() => {
          end(body);
          resolve();
        })
        .catch((e: unknown) => {
          end(body);
          reject(e);
        });
      return res;
    }) as typeof res.end;
  });
}
