import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';

/** oidc-provider's own limit for form bodies. */
const BODY_LIMIT = 56 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
