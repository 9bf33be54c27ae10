import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreatePolicyBody,
  DryRunBody,
  DryRunResultSchema,
  EffectivePolicySetSchema,
  IdParams,
  ListPoliciesQuery,
  PolicyPageSchema,
  PolicySchema,
  PolicyVersionPageSchema,
  PolicyVersionParams,
  PolicyVersionSchema,
  problemResponses,
  UpdatePolicyBody,
} from '@sprintconnect/contracts';
import type { OrgPoliciesService } from './org-policies.service.ts';
import { type DryRunDeps, dryRun } from './policy-dry-run.ts';

const tags = ['policies'];
const WRITE_NOTE =
  'Needs `policies:write` and, for people, a sign-in within the last 10 minutes (`step_up_required`). The ' +
  'text is validated with the rest of the set (422 `policy_invalid`, one `errors[]` entry per problem with ' +
  '`policy`, `line` and `column`); the change creates a new version and applies in every process within a second.';

export function policyRoutes(policies: OrgPoliciesService, dry: DryRunDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const org = (orgId: string) => ({ type: 'org', orgId }) as const;
    const one = (orgId: string, id: string) => ({ type: 'policy', orgId, id }) as const;

    app.get(
      '/v1/policies',
      {
        schema: {
          tags,
          summary: 'List org policies',
          description:
            "The organization's own policies (system and role policies: `/v1/policies/effective`).",
          querystring: ListPoliciesQuery,
          response: { 200: PolicyPageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req) => {
        req.authz.assert('policies:read', org(req.principal.orgId));
        return policies.list(req.principal, req.query);
      },
    );

    app.post(
      '/v1/policies',
      {
        schema: {
          tags,
          summary: 'Add an org policy',
          description: `One Cedar policy (docs/policies.md). ${WRITE_NOTE}`,
          body: CreatePolicyBody,
          response: { 201: PolicySchema, ...problemResponses(401, 403, 409, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('policies:write', org(req.principal.orgId));
        const p = await policies.create(req.principal, String(req.id), req.body);
        return reply.status(201).header('location', p.links.self).send(p);
      },
    );

    app.get(
      '/v1/policies/effective',
      {
        schema: {
          tags,
          summary: 'The whole policy set the organization runs',
          description: 'System, role and org policies (enabled ones) with their ids, and the set version.',
          response: { 200: EffectivePolicySetSchema, ...problemResponses(401, 403) },
        },
      },
      async (req) => {
        req.authz.assert('policies:read', org(req.principal.orgId));
        return policies.effective(req.principal);
      },
    );

    app.get(
      '/v1/policies/versions',
      {
        schema: {
          tags,
          summary: "Versions of the organization's policies",
          description: 'Newest first; every change to an org policy made one.',
          querystring: ListPoliciesQuery,
          response: { 200: PolicyVersionPageSchema, ...problemResponses(401, 403, 422) },
        },
      },
      async (req) => {
        req.authz.assert('policies:read', org(req.principal.orgId));
        return policies.versions(req.principal, req.query);
      },
    );

    app.post(
      '/v1/policies/versions/:n/restore',
      {
        schema: {
          tags,
          summary: 'Roll back to a version',
          description: `Writes the org policies of version n back, as a new version. ${WRITE_NOTE}`,
          params: PolicyVersionParams,
          response: { 201: PolicyVersionSchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req, reply) => {
        req.authz.assert('policies:write', org(req.principal.orgId));
        return reply.status(201).send(await policies.restore(req.principal, String(req.id), req.params.n));
      },
    );

    app.post(
      '/v1/policies/dry-run',
      {
        schema: {
          tags,
          summary: 'Would this be allowed, and why',
          description:
            'Decides on the current set, or with a candidate policy added (a candidate named like an existing ' +
            'policy replaces it), without saving or loading anything. Needs `policies:read`.',
          body: DryRunBody,
          response: { 200: DryRunResultSchema, ...problemResponses(401, 403, 404, 413, 415, 422) },
        },
      },
      async (req) => {
        req.authz.assert('policies:read', org(req.principal.orgId));
        return dryRun(dry, req.authz, req.body);
      },
    );

    app.get(
      '/v1/policies/:id',
      {
        schema: {
          tags,
          summary: 'Get an org policy',
          params: IdParams,
          response: { 200: PolicySchema, ...problemResponses(401, 403, 404, 422) },
        },
      },
      async (req) => {
        req.authz.assert('policies:read', one(req.principal.orgId, req.params.id));
        return policies.get(req.principal, req.params.id);
      },
    );

    app.put(
      '/v1/policies/:id',
      {
        schema: {
          tags,
          summary: 'Change an org policy',
          description: `Any of name, description, policy, enabled. ${WRITE_NOTE}`,
          params: IdParams,
          body: UpdatePolicyBody,
          response: { 200: PolicySchema, ...problemResponses(401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (req) => {
        req.authz.assert('policies:write', one(req.principal.orgId, req.params.id));
        return policies.update(req.principal, String(req.id), req.params.id, req.body);
      },
    );

    app.delete(
      '/v1/policies/:id',
      {
        schema: {
          tags,
          summary: 'Delete an org policy',
          description: WRITE_NOTE,
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Deleted' },
            ...problemResponses(401, 403, 404, 422),
          },
        },
      },
      async (req, reply) => {
        req.authz.assert('policies:write', one(req.principal.orgId, req.params.id));
        await policies.remove(req.principal, String(req.id), req.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
