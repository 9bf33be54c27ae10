import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ProblemSchema } from '@sprintconnect/contracts';
import Fastify, { type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import type { Clock } from '../kernel/index.ts';
import { isAppError, isUuid, uuidv7 } from '../kernel/index.ts';
import type { Authenticator } from '../modules/identity/index.ts';
import { routedPath } from './api-route.ts';
import { unauthenticatedChallenge } from './auth-hook.ts';
import { clientErrorHandler } from './client-error.ts';
import { drainConnections } from './connection-drain.ts';
import { sendErrorPage } from './error-page.ts';
import { installInputGuards } from './input-guards.ts';
import { redactUrl, scrubLogLine } from './log-redaction.ts';
import type { MetricsSource } from './metrics.route.ts';
import { registerMetricsRoute } from './metrics.route.ts';
import { installRequestHooks, type Mountable } from './mount.ts';
import { describeErrors } from './openapi-errors.ts';
import { problem, toProblem } from './problem.ts';
import { installPrincipal } from './request-context.ts';
import { createRouteTable } from './route-table.ts';
import { buildValidator } from './validators.ts';

export interface AppDeps {
  publicUrl: string;
  logLevel: string;
  clock: Clock;
  /** What the modules contribute, in the order they were built (ADR 0028): routes, authenticators, hooks. */
  modules: readonly Mountable[];
  /** Tests only: authenticators tried before the modules' (e.g. a stand-in for user sign-in). */
  extraAuthenticators?: readonly Authenticator[] | undefined;
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  /** Prometheus metrics at /metrics, guarded (metrics.route.ts). */
  metrics?: MetricsSource;
  version: string;
  /** Tests only: where log lines go (default stdout), to read decision logs through a real request. */
  logStream?: { write(line: string): void };
  /** Tests only: told of every route as it is registered (the route-coverage test walks them all). */
  onRoute?: (route: RouteOptions) => void;
}

export type App = FastifyInstance;

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.value', '*.secret'],
        censor: '[redacted]',
      },
      // Query strings carry credentials some clients insist on sending (issue 8, point 4; ADR 0023).
      serializers: {
        req: (req) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
      hooks: { streamWrite: scrubLogLine },
      ...(deps.logStream === undefined ? {} : { stream: deps.logStream }),
    },
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : uuidv7();
    },
    // Strict JSON bodies, coerced query strings and path parameters (validators.ts).
    schemaController: { compilersFactory: { buildValidator } },
    // A path parameter longer than any id or name of this API (ids are 36 characters, slugs at most 63) is 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 100 },
    // Requests Node's HTTP parser refuses never reach the router (client-error.ts).
    clientErrorHandler,
    // Errors the router raises before any hook (bad percent-encoding, over-long parameter) are problems too.
    frameworkErrors: (err, req, reply) => {
      const p = toProblem(err, req);
      void (reply as FastifyReply)
        .status(p.status)
        .headers({ ...p.headers, 'x-request-id': String(req.id) })
        .type('application/problem+json')
        .send(p.body);
    },
    // Fastify's own 503 while closing is plain JSON; ours is problem+json (the hook below).
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Issue 8 point 20: a request that reaches a closing server (on a kept-alive or pipelined connection during
  // shutdown) gets a problem document and a closed connection, before any other hook runs.
  let closing = false;
  const drain = drainConnections(app.server);
  app.addHook('preClose', async () => {
    closing = true;
    drain.closing();
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    const p = problem(req, 'shutting_down', 'This server is stopping; retry the request.', undefined, {
      connection: 'close',
      'retry-after': '1',
      'x-request-id': String(req.id),
    });
    return reply.status(p.status).headers(p.headers).type('application/problem+json').send(p.body);
  });

  // Only JSON bodies: Fastify would otherwise accept text/plain as a string and fail later with a 422.
  app.removeContentTypeParser('text/plain');

  const routeTable = createRouteTable();
  app.addHook('onRoute', (r) => {
    if (r.method !== 'HEAD') routeTable.add(r.method, r.url);
    deps.onRoute?.(r);
  });
  app.addSchema(ProblemSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SprintConnect API',
        version: deps.version,
        description: 'Control plane for MCP servers. Every error is an RFC 9457 problem document.',
      },
      servers: [{ url: deps.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
    // Every error each route can answer with, with an example problem (ADR 0039).
    transform: describeErrors,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
  });
  installPrincipal(app, unauthenticatedChallenge('sprintconnect', deps.publicUrl));
  installInputGuards(app);
  installRequestHooks(app, {
    mounts: deps.modules,
    extraAuthenticators: deps.extraAuthenticators ?? [],
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err, req);
    // A person navigating pages that have one (sign-in) sees the route's error page, same status and headers.
    if (isAppError(err) && sendErrorPage(req, reply, p)) return reply;
    // An outage is one condition, logged once by the database watcher; a stack per request would bury it.
    if (p.body.code === 'database_unavailable')
      req.log.warn({ code: p.body.code, reason: String((err as Error).message) }, 'database unavailable');
    else if (p.status >= 500) req.log.error({ err }, 'unhandled error');
    return reply.status(p.status).headers(p.headers).type('application/problem+json').send(p.body);
  });

  app.setNotFoundHandler(async (req, reply) => {
    const path = routedPath(req.url);
    const allow = routeTable.allowed(path);
    const p =
      allow.length > 0
        ? problem(
            req,
            'method_not_allowed',
            `${req.method} is not supported here; use ${allow.join(', ')}.`,
            undefined,
            {
              allow: allow.join(', '),
            },
          )
        : problem(req, 'route_not_found', `There is no route ${req.method} ${path}; see /docs.`);
    return reply.status(p.status).headers(p.headers).type('application/problem+json').send(p.body);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  if (deps.metrics !== undefined) registerMetricsRoute(app, deps.metrics);
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await deps.ready();
    return reply.status(r.ok ? 200 : 503).send({ status: r.ok ? 'ready' : 'not_ready', checks: r.checks });
  });

  for (const m of deps.modules) for (const plugin of m.publicRoutes ?? []) await app.register(plugin);
  for (const m of deps.modules) for (const plugin of m.routes ?? []) await app.register(plugin);
  return app;
}

export { isUuid };
