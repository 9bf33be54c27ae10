import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { idempotencyKeyInvalid } from './idempotency.errors.ts';
import type { Claim, IdempotencyStore } from './idempotency.service.ts';
import {
  IDEMPOTENCY_KEY_HEADER,
  KEY_MAX_LENGTH as IDEMPOTENCY_KEY_MAX_LENGTH,
  parseIdempotencyKey,
  REPLAYED_HEADER,
} from './idempotency-key.ts';

/**
 * `Idempotency-Key` on every POST under /v1 (issue 8 point 19, ADR 0026; draft-ietf-httpapi-idempotency-key-
 * header-07): this module's hooks, which the HTTP adapter installs. After authentication and validation, a
 * request with a key either claims it or is answered from what the first request with it got; the claimed request's answer is
 * stored (or the claim forgotten) in onSend, before it leaves, so a client that received it and retries finds it.
 */
/**
 * By the matched route pattern, not the raw target: `/%761/servers` is a POST to /v1/servers too. Such a
 * request has passed the auth hook, so it has a principal.
 */
const applies = (req: FastifyRequest) =>
  req.method === 'POST' && req.routeOptions.url?.startsWith('/v1/') === true;

const HEADER_DOC = {
  type: 'string',
  description:
    `Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} ` +
    'characters of `A-Z a-z 0-9 - _ . ~ : + / =` (a UUID is a good key), optionally quoted. The same key with ' +
    'the same request within 24 hours gets the first answer again, marked `Idempotent-Replayed: true`; with ' +
    'another request, 422 `idempotency_key_reused`; while the first still runs, 409 ' +
    '`idempotency_key_in_flight`. Keys are per organization and caller; 5xx and retry-later answers are not kept.',
};

/** onRoute: the header is a documented parameter of every POST under /v1 (the OpenAPI description). */
function documentHeader(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!methods.includes('POST') || !route.url.startsWith('/v1/')) return;
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.hide === true) return;
  const headers = (schema.headers ?? {}) as { properties?: Record<string, unknown> };
  route.schema = {
    ...schema,
    headers: {
      ...headers,
      type: 'object',
      properties: { ...headers.properties, [IDEMPOTENCY_KEY_HEADER]: HEADER_DOC },
    },
  };
}

export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  const claims = new WeakMap<FastifyRequest, Claim>();
  app.addHook('onRoute', documentHeader);

  app.addHook('preHandler', async (req, reply) => {
    if (!applies(req)) return;
    const principal = req.principal;
    const parsed = parseIdempotencyKey(req.headers[IDEMPOTENCY_KEY_HEADER]);
    if (parsed === undefined) return;
    if (!parsed.ok) throw idempotencyKeyInvalid(parsed.detail);
    const begun = await store.begin({
      orgId: principal.orgId,
      principal: `${principal.kind}:${principal.id}`,
      key: parsed.key,
      method: req.method,
      url: req.url,
      body: req.body,
    });
    if (begun.kind === 'proceed') {
      claims.set(req, begun.claim);
      return;
    }
    return reply
      .code(begun.status)
      .headers(begun.headers)
      .header(REPLAYED_HEADER, 'true')
      .send(begun.body === '' ? undefined : begun.body);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = claims.get(req);
    if (claim === undefined) return payload;
    claims.delete(req);
    const text = typeof payload === 'string' ? payload : undefined;
    try {
      await store.finish(claim, {
        status: reply.statusCode,
        headers: reply.getHeaders(),
        body: text,
        streamed: payload !== undefined && payload !== null && text === undefined,
      });
    } catch (err) {
      // The route's change is made: answer it anyway. The key stays claimed until its lease ends (ADR 0026).
      req.log.error({ err }, 'idempotency: the answer could not be stored');
    }
    return payload;
  });
}
