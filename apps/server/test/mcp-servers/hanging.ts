/**
 * Accepts every connection and request and never answers (no status line, no body), the shape of a
 * wedged upstream or a black-holing proxy. Used to prove that discovery gives up on its own timeouts.
 */
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export interface RunningHangingServer extends RunningServer {
  /** Requests received so far. */
  readonly received: () => number;
  /** Requests whose client has not gone away yet (a client that gave up closes its socket). */
  readonly open: () => number;
}

export async function startHanging(path = '/mcp'): Promise<RunningHangingServer> {
  let received = 0;
  let open = 0;
  const http = await listenLoopback((req, res) => {
    received += 1;
    open += 1;
    res.once('close', () => {
      open -= 1;
    });
    req.resume();
  });
  return {
    url: `${http.origin}${path}`,
    received: () => received,
    open: () => open,
    close: () => http.close(),
  };
}

runAsMain(import.meta, () => startHanging());
