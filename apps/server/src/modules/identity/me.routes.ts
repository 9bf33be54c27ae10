import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MeSchema, problemResponses } from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { findOrg } from '../tenancy/index.ts';
import type { Principal } from './principal.ts';

/**
 * A CI client's registered name, from the module that registers clients (oauth): its tokens carry only the
 * client id in `sub` (issue 10 point 8: `whoami` shows a client's name). Undefined: keep the token's name.
 */
export type ClientNames = (orgId: string, clientId: string) => Promise<string | undefined>;

async function nameOf(names: ClientNames | undefined, p: Principal): Promise<string> {
  if (p.kind !== 'client' || names === undefined) return p.name;
  return (await names(p.orgId, p.id)) ?? p.name;
}

/** `GET /v1/me`: who the caller is, however it authenticated. Any authenticated caller may ask. */
export function meRoutes(db: Db, clientNames: () => ClientNames | undefined): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/me',
      {
        schema: {
          tags: ['identity'],
          summary: 'The calling user, client or API key',
          response: { 200: MeSchema, ...problemResponses(401, 429) },
        },
      },
      async (req) => {
        const p = req.principal;
        const org = await withTenant(db, p.orgId, (tx) => findOrg(tx, p.orgId));
        // The org of a verified credential always exists (deleting an org deletes its keys and users).
        if (org === undefined) throw new AppError('internal', 'The caller’s organization was not found.');
        return {
          kind: p.kind,
          id: p.id,
          name: await nameOf(clientNames(), p),
          email: p.email ?? null,
          org: { id: org.id, slug: org.slug, name: org.name },
          roles: [...p.roles],
          scopes: [...p.scopes],
          ...(p.permissions === undefined ? {} : { permissions: [...p.permissions] }),
          authMethod: p.authMethod,
          authTime: p.authTime?.toISOString() ?? null,
        };
      },
    );
  };
}
