import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/index.ts';

export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
  /** When set, /metrics needs `Authorization: Bearer <token>`; when not, only loopback callers get it. */
  readonly token: string | undefined;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Why /metrics is guarded (ADR 0014): its series carry org ids and per-org traffic, which one tenant must not
 * learn about another. With SPRINTCONNECT_METRICS_TOKEN set, a scraper sends it as a bearer token. Without it,
 * only a loopback peer that did not come through a proxy (no Forwarded / X-Forwarded-For) is answered, so a
 * reverse proxy on the same host does not expose it by accident.
 */
function admitted(req: FastifyRequest, token: string | undefined): boolean {
  if (token !== undefined) {
    const auth = req.headers.authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') && sameSecret(auth.slice(7), token);
  }
  const proxied = req.headers.forwarded !== undefined || req.headers['x-forwarded-for'] !== undefined;
  return !proxied && LOOPBACK.test(req.socket.remoteAddress ?? '');
}

export function registerMetricsRoute(app: FastifyInstance, metrics: MetricsSource): void {
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!admitted(req, metrics.token)) {
      throw new AppError(
        'forbidden',
        metrics.token === undefined
          ? '/metrics answers loopback callers only; set SPRINTCONNECT_METRICS_TOKEN to scrape it from elsewhere.'
          : 'Send the metrics token as `Authorization: Bearer <SPRINTCONNECT_METRICS_TOKEN>`.',
      );
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}
