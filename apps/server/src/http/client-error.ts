import type { Socket } from 'node:net';
import { uuidv7 } from '../kernel/index.ts';
import { ERRORS, type ErrorCode } from './error-catalogue.ts';

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a NUL or raw non-ASCII byte in the request
 * target, a header block over the limit, a client too slow to send one) are answered here, as RFC 9457 problems
 * like every other error, instead of Fastify's own JSON. There is no request yet: no route, no request id
 * header to keep, so the problem's `instance` is the new id as a URN (RFC 9457 §3.1.5: it names the occurrence).
 */
export function clientErrorHandler(
  this: { log: { debug(obj: object, msg: string): void } },
  err: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has no one to answer (Node docs, 'clientError').
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['request_timeout', 'The request did not arrive in time.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', 'The request headers are larger than the server accepts.']
        : [
            'malformed_request',
            'The request is not valid HTTP/1.1 (RFC 9112), e.g. a raw byte in its target.',
          ];
  const { status, title } = ERRORS[code];
  const id = uuidv7();
  const body = JSON.stringify({
    type: `https://sprintconnect.dev/problems/${code}`,
    title,
    status,
    detail,
    instance: `urn:uuid:${id}`,
    code,
    requestId: id,
  });
  // Only the parser's code: the error also carries the raw bytes received, Authorization header included.
  this.log.debug({ clientError: err.code ?? 'unknown', requestId: id }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
