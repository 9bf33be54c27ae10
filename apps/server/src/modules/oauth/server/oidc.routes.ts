import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { isMcpEndpoint, type Resources } from '../tokens/resources.ts';
import { protectedResourceMetadata } from './protected-resource.ts';
import { closeWithStatus, readBody, replayRequest } from './raw-http.ts';
import type { ClientAuthThrottle } from './token-endpoint.ts';

export interface OidcRoutesDeps {
  readonly publicUrl: string;
  readonly resources: Resources;
  readonly apiScopes: readonly string[];
  /** Hands a raw request (URL still starting with /oidc) to the current oidc-provider instance. */
  dispatch(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The token endpoint (token-endpoint.ts) in front of the provider; `source` is the client's address. */
  token(req: IncomingMessage, res: ServerResponse, body: Buffer, source: string): Promise<void>;
  /** Failed client authentications, limited per source and client id (token-endpoint.ts). */
  throttle: ClientAuthThrottle;
}

/**
 * Mounts oidc-provider (a Koa app) under /oidc of the Fastify app. Fastify routes the request, parses nothing
 * (every content type parser is removed in this scope), and hands the raw Node request and response over; the
 * provider strips the /oidc mount path itself from `originalUrl` (ADR 0009).
 */
const BODYLESS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function oidcRoutes(deps: OidcRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

      // Every body is read here, under one limit, before the provider sees it: a body over the limit is a 413
      // on a connection that then closes (issue 8 point 8), whichever endpoint it was sent to.
      const withBody = async (
        req: IncomingMessage,
        res: ServerResponse,
        next: (body: Buffer) => Promise<void>,
      ): Promise<void> => {
        const body = await readBody(req);
        if (body === undefined) {
          closeWithStatus(res, 413, {
            error: 'invalid_request',
            error_description: 'request body too large',
          });
          return;
        }
        await next(body);
      };

      raw.all('/oidc/*', { schema: { hide: true } }, async (req, reply) => {
        reply.hijack();
        if (BODYLESS.has(req.method)) return deps.dispatch(req.raw, reply.raw);
        // Introspection, revocation and pushed authorization requests authenticate clients as the token
        // endpoint does, so every request with a body spends the same failure limits (attack of issue 8's
        // fixes, D2): fail closed, an endpoint enabled later is covered without a list to keep.
        await withBody(req.raw, reply.raw, (body) =>
          deps.throttle(req.raw, reply.raw, body, req.ip, () =>
            deps.dispatch(replayRequest(req.raw, body), reply.raw),
          ),
        );
      });

      raw.post('/oidc/token', { schema: { hide: true } }, async (req, reply) => {
        reply.hijack();
        await withBody(req.raw, reply.raw, (body) => deps.token(req.raw, reply.raw, body, req.ip));
      });

      // RFC 8414 §3.1: metadata of an issuer with a path, at the path-inserted well-known URL (MCP clients ask
      // here first); the same document as OpenID discovery.
      raw.get(
        '/.well-known/oauth-authorization-server/oidc',
        { schema: { hide: true } },
        async (req, reply) => {
          reply.hijack();
          req.raw.url = '/oidc/.well-known/openid-configuration';
          await deps.dispatch(req.raw, reply.raw);
        },
      );
    });

    const metadata = (resource: string, name: string) =>
      protectedResourceMetadata({ publicUrl: deps.publicUrl, resource, name, scopes: deps.apiScopes });
    app.get('/.well-known/oauth-protected-resource/v1', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .send(metadata(deps.resources.api, 'SprintConnect API')),
    );
    app.get('/.well-known/oauth-protected-resource/mcp', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .send(metadata(deps.resources.mcp, 'SprintConnect MCP')),
    );
    // A virtual server's endpoint `/mcp/{slug}` (RFC 9728 §3.3: `resource` is the URL the well-known path was
    // inserted into). The same document whether or not any org has the slug: it reveals nothing about slugs.
    app.get<{ Params: { slug: string } }>(
      '/.well-known/oauth-protected-resource/mcp/:slug',
      { schema: { hide: true } },
      async (req, reply) => {
        const resource = `${deps.resources.mcp}/${req.params.slug}`;
        if (!isMcpEndpoint(deps.resources, resource)) return reply.callNotFound();
        return reply
          .header('cache-control', 'public, max-age=300')
          .send(metadata(resource, `SprintConnect MCP (${req.params.slug})`));
      },
    );
  };
}
