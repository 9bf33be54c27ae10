import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreatedOAuthClientSchema,
  CreateOAuthClientBody,
  type CreateOAuthClientInput,
  OAuthClientListSchema,
  OAuthClientParams,
  problemResponses,
} from '@sprintconnect/contracts';
import type { Clock } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import { resolveExpiry, withinCreator } from '../../api-keys/index.ts';
import type { Permission } from '../../authz/index.ts';
import type { Principal } from '../../identity/index.ts';
import { actorOf, assertRecentSignIn } from '../../identity/index.ts';
import type { RolesService, UsersService } from '../../rbac/index.ts';
import { assertWithinHeld } from '../../rbac/index.ts';
import type { CiClients } from './ci-clients.ts';

const tags = ['oauth-clients'];

export interface OAuthClientRoutesDeps {
  readonly clients: Pick<CiClients, 'register' | 'list' | 'remove'>;
  readonly tokenEndpoint: string;
  /** The org's roles, and the system's hand that gives them to a client once the route has checked. */
  readonly roles: Pick<RolesService, 'list'>;
  readonly users: Pick<UsersService, 'grantAsSystem'>;
  /** The latest expiry a credential made by the caller may have (ApiKeyManagement.expiryBound). */
  readonly expiryBound: (principal: Principal) => Promise<Date | null | undefined>;
  readonly clock: Clock;
}

/** Every role of the caller's org with its effective permissions. */
async function allRoles(roles: OAuthClientRoutesDeps['roles'], p: Principal) {
  const known = new Map<string, readonly Permission[]>();
  let cursor: string | undefined;
  do {
    const page = await roles.list(p, { limit: 200, cursor });
    for (const r of page.items) known.set(r.name, r.effectivePermissions as Permission[]);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return known;
}

const notFound = (clientId: string) =>
  new AppError('not_found', `There is no OAuth client ${clientId} in this organization.`);

/**
 * Stories 8.1/8.6: an org's CI clients (client_credentials at /oidc/token). The secret is in the 201 response
 * only. Managing them needs `api_keys:admin` (they are machine credentials like API keys, org-wide); the roles
 * a client gets must be within the caller's own permissions (no escalation).
 */
export function oauthClientRoutes(deps: OAuthClientRoutesDeps): FastifyPluginAsyncTypebox {
  const { clients } = deps;
  return async (app) => {
    app.post(
      '/v1/oauth-clients',
      {
        schema: {
          tags,
          summary: 'Register a CI client (client_credentials)',
          description:
            'The `clientSecret` is in this response only and never shown again. The client gets the given ' +
            'roles (each within your own permissions; a person needs a sign-in within 10 minutes) and may ask ' +
            'for the given scopes, which narrow those roles. It expires no later than the API key or client ' +
            'that creates it, and is removed when that credential is revoked or removed. Needs `api_keys:admin`.',
          body: CreateOAuthClientBody,
          response: { 201: CreatedOAuthClientSchema, ...problemResponses(401, 403, 413, 415, 422, 429) },
        },
      },
      async (req, reply) => {
        const p = req.principal;
        req.authz.assert('api_keys:admin', { type: 'org', orgId: p.orgId });
        const input = req.body as CreateOAuthClientInput;
        const roles = input.roles ?? [];
        if (roles.length > 0) {
          assertRecentSignIn(p, deps.clock.now());
          const known = await allRoles(deps.roles, p);
          const errors = roles.flatMap((name, i) =>
            known.has(name) ? [] : [{ pointer: `/roles/${i}`, detail: `there is no role "${name}"` }],
          );
          if (errors.length > 0) throw new AppError('validation_failed', 'Unknown roles.', { errors });
          for (const name of roles) {
            assertWithinHeld(req.authz, `grant the role "${name}"`, known.get(name)!);
          }
        }
        // Issue 8 fixes, D4: a client may not outlive the credential that creates it, as a key may not.
        const expiresAt = withinCreator(resolveExpiry(input, deps.clock.now()), await deps.expiryBound(p));
        const actor = actorOf(p, String(req.id));
        const created = await clients.register(actor, {
          name: input.name,
          scopes: input.scopes,
          dpopBound: input.dpopBound ?? false,
          expiresAt,
        });
        if (roles.length > 0) {
          try {
            await deps.users.grantAsSystem(actorOf(p), { type: 'client', id: created.clientId }, roles);
          } catch (e) {
            // Never leave a client whose roles are not what was asked for.
            await clients.remove(actor, created.clientId);
            throw e;
          }
        }
        return reply
          .status(201)
          .header('cache-control', 'no-store')
          .send({
            clientId: created.clientId,
            clientSecret: created.clientSecret,
            name: input.name,
            scopes: [...input.scopes],
            roles: [...roles],
            dpopBound: input.dpopBound ?? false,
            expiresAt: created.expiresAt?.toISOString() ?? null,
            tokenEndpoint: deps.tokenEndpoint,
          });
      },
    );

    app.get(
      '/v1/oauth-clients',
      {
        schema: {
          tags,
          summary: 'List CI clients',
          description: 'The clients of your organization with their scopes; never their secrets.',
          response: { 200: OAuthClientListSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        const p = req.principal;
        req.authz.assert('api_keys:read', { type: 'org', orgId: p.orgId });
        return { items: await clients.list(actorOf(p, String(req.id))) };
      },
    );

    app.delete(
      '/v1/oauth-clients/:clientId',
      {
        schema: {
          tags,
          summary: 'Remove a CI client',
          description:
            'The client can no longer get tokens. Access tokens it already has expire within 5 minutes.',
          params: OAuthClientParams,
          response: {
            204: { type: 'null', description: 'Removed' },
            ...problemResponses(401, 403, 404, 422, 429),
          },
        },
      },
      async (req, reply) => {
        const p = req.principal;
        req.authz.assert('api_keys:admin', { type: 'org', orgId: p.orgId });
        const { clientId } = req.params;
        if (!(await clients.remove(actorOf(p, String(req.id)), clientId))) throw notFound(clientId);
        return reply.status(204).send(null);
      },
    );
  };
}
