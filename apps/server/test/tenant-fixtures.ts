import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './harness.ts';

/**
 * Story 8.5: the one table of resources named by a path parameter, for the cross-org walk
 * (src/modules/tenancy/cross-org.int.test.ts). The walk reads every path parameter of `/openapi.json`; each must
 * appear here, keyed by the path up to and including it:
 *
 * - `create`: makes one such resource in the org of `auth` through the API (or the service when the API has no
 *   create route) and returns the value of the parameter;
 * - `notTenantResource`: the parameter does not name a row of one org (a public org slug, a quota name of the
 *   caller's own org, a global job name); the reason says why, and the walk leaves it alone.
 *
 * Adding a route with a new `{id}`? Add its fixture here, or the walk fails and names the route.
 */
export interface Ctx {
  readonly t: TestApp;
  readonly orgId: string;
  readonly auth: { authorization: string };
  /** Values of the parameters before this one in the same path (`/v1/servers/{id}/...`: `id`). */
  readonly parent: Readonly<Record<string, string>>;
}

export type TenantFixture =
  | { create: (ctx: Ctx) => Promise<string>; randomId?: () => string }
  | { notTenantResource: string };

async function post(ctx: Ctx, url: string, payload: unknown, status = 201): Promise<Record<string, unknown>> {
  const res = await ctx.t.app.inject({ method: 'POST', url, headers: ctx.auth, payload: payload as object });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
  return res.json();
}

const uniq = () => randomUUID().slice(0, 8);

export const TENANT_FIXTURES: Readonly<Record<string, TenantFixture>> = {
  '/v1/servers/{id}': {
    create: async (ctx) =>
      String(
        (
          await post(ctx, '/v1/servers', {
            name: `fixture-${uniq()}`,
            url: 'https://mcp.fixture.example/mcp',
            autoDiscover: false,
          })
        ).id,
      ),
  },
  '/v1/jobs/{id}': {
    create: async (ctx) => {
      const server = await (
        TENANT_FIXTURES['/v1/servers/{id}'] as { create: (c: Ctx) => Promise<string> }
      ).create(ctx);
      return String((await post(ctx, `/v1/servers/${server}/discover`, {}, 202)).id);
    },
  },
  '/v1/virtual-servers/{id}': {
    create: async (ctx) =>
      String(
        (
          await post(ctx, '/v1/virtual-servers', {
            slug: `vs-${uniq()}`,
            name: 'fixture',
            members: [{ tag: 'x' }],
          })
        ).id,
      ),
  },
  '/v1/api-keys/{id}': {
    create: async (ctx) =>
      String((await post(ctx, '/v1/api-keys', { name: `k-${uniq()}`, scopes: ['read'] })).id),
  },
  '/v1/roles/{id}': {
    create: async (ctx) =>
      String((await post(ctx, '/v1/roles', { name: `r-${uniq()}`, permissions: ['servers:read'] })).id),
  },
  '/v1/users/{id}': {
    // Users arrive by SSO or local sign-up, not by a create route: made by the access service.
    create: async (ctx) =>
      (
        await ctx.t.sc.rbac.users.create(
          { type: 'system', id: 'fixture', orgId: ctx.orgId },
          { email: `u-${uniq()}@fixture.example`, name: 'fixture' },
        )
      ).id,
  },
  '/v1/trust/keys/{id}': {
    create: async (ctx) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      return String(
        (await post(ctx, '/v1/trust/keys', { issuer: 'fixture', jwk: { ...jwk, kid: uniq() } })).id,
      );
    },
  },
  '/v1/trusted-issuers/{id}': {
    create: async (ctx) =>
      String(
        (
          await post(ctx, '/v1/trusted-issuers', {
            // Loopback, allowed by the walk's SPRINTCONNECT_EGRESS_ALLOW: the URLs are checked, not fetched.
            issuer: `http://127.0.0.1:8081/idp-${uniq()}`,
            audience: 'api://sprintconnect',
            jwksUri: 'http://127.0.0.1:8081/keys',
          })
        ).id,
      ),
  },
  '/v1/oauth-clients/{clientId}': {
    create: async (ctx) =>
      String((await post(ctx, '/v1/oauth-clients', { name: `c-${uniq()}`, scopes: ['read'] })).clientId),
    randomId: () => `scc_${randomUUID().replace(/-/g, '')}`,
  },
  '/v1/policies/{id}': {
    // Disabled: the walk must not change what org A may do.
    create: async (ctx) =>
      String(
        (
          await post(ctx, '/v1/policies', {
            name: `p-${uniq()}`,
            policy:
              'forbid (principal, action, resource is SprintConnect::Server)\nwhen { resource.environment == "production" };',
            enabled: false,
          })
        ).id,
      ),
  },
  '/v1/policies/versions/{n}': {
    notTenantResource: "a version number of the caller's own org's policy set (each org counts from 1)",
  },
  '/v1/quotas/{name}': { notTenantResource: "a quota name: it always means the caller's own org's quota" },
  '/auth/sso/{orgSlug}': {
    notTenantResource: 'a public org slug: sign-in starts before any tenant is known',
  },
  '/api/cron/{job}': { notTenantResource: 'a scheduled job name, the same for every org (system cron)' },
};
