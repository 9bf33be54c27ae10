import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { protectedResourceMetadata } from './protected-resource.ts';
import { readBody } from './raw-http.ts';
import type { Resources } from './resources.ts';

export interface OidcRoutesDeps {
  readonly publicUrl: string;
  readonly resources: Resources;
  readonly apiScopes: readonly string[];
  /** Hands a raw request (URL still starting with /oidc) to the current oidc-provider instance. */
  dispatch(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The token endpoint with the refresh-token grace window in front of the provider. */
  token(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

/**
 * Mounts oidc-provider (a Koa app) under /oidc of the Fastify app. Fastify routes the request, parses nothing
 * (every content type parser is removed in this scope), and hands the raw Node request and response over; the
 * provider strips the /oidc mount path itself from `originalUrl` (ADR 0009).
 */
export function oidcRoutes(deps: OidcRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

      raw.all('/oidc/*', { schema: { hide: true } }, async (req, reply) => {
        reply.hijack();
        await deps.dispatch(req.raw, reply.raw);
      });

      raw.post('/oidc/token', { schema: { hide: true } }, async (req, reply) => {
        reply.hijack();
        const body = await readBody(req.raw);
        if (body === undefined) {
          reply.raw.statusCode = 413;
          reply.raw.setHeader('content-type', 'application/json');
          reply.raw.end(
            JSON.stringify({ error: 'invalid_request', error_description: 'request body too large' }),
          );
          return;
        }
        await deps.token(req.raw, reply.raw, body);
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
  };
}
