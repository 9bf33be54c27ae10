import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Graceful shutdown without waiting out keep-alive (issue 8 point 20): Node's `server.close()` closes only the
 * connections it sees idle at that instant. A connection a client opened just before the close and has sent
 * nothing on yet, or one whose last answer (a stream ended by a preClose hook) finishes just after, was held
 * open for the whole keep-alive timeout (Fastify's 72 s), and shutdown with it. So connections are counted
 * here by what they are doing, and once closing starts every one not carrying a request is closed, again each
 * time a request ends, until the server has closed.
 */
export function drainConnections(server: Server): { closing(): void } {
  const inFlight = new Map<Socket, number>();
  let closing = false;
  const closeIfIdle = (socket: Socket) => {
    if (closing && (inFlight.get(socket) ?? 0) === 0) socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = (inFlight.get(socket) ?? 1) - 1;
      if (inFlight.has(socket)) inFlight.set(socket, n);
      // After the answer is written: the client reads it before the socket goes.
      setImmediate(() => closeIfIdle(socket));
    });
  });
  return {
    closing() {
      closing = true;
      for (const socket of inFlight.keys()) closeIfIdle(socket);
    },
  };
}
