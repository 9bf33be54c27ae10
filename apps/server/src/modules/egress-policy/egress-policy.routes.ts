import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EgressCheckBody,
  EgressCheckSchema,
  EgressPolicyBody,
  EgressPolicySchema,
  problemResponses,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { EgressPolicyService } from './egress-policy.service.ts';

const tags = ['egress'];

const SEMANTICS =
  'The platform policy always applies first (private and link-local addresses refused unless the operator ' +
  'allows them, cloud metadata always, DNS pinning, every redirect re-checked); these rules only narrow it. A ' +
  'non-empty `allow` means only those destinations; `deny` always wins; `deniedPorts` apply everywhere. Host ' +
  'names are judged as written and by every address they resolve to.';

export function egressPolicyRoutes(service: EgressPolicyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/egress-policy',
      {
        schema: {
          tags,
          summary: "Get the organization's egress rules",
          description: `Needs \`egress:read\`. ${SEMANTICS}`,
          response: { 200: EgressPolicySchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        req.authz.assert('egress:read', { type: 'org', orgId: req.principal.orgId });
        return service.get(actorOf(req.principal, String(req.id)));
      },
    );

    app.put(
      '/v1/egress-policy',
      {
        schema: {
          tags,
          summary: "Replace the organization's egress rules",
          description:
            `Needs \`egress:write\`. Omitted fields are cleared. Every process applies the change within a ` +
            `second. Each bad entry is reported at its pointer (422) and nothing changes. ${SEMANTICS}`,
          body: EgressPolicyBody,
          response: { 200: EgressPolicySchema, ...problemResponses(401, 403, 413, 415, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('egress:write', { type: 'org', orgId: req.principal.orgId });
        return service.put(actorOf(req.principal, String(req.id)), req.body);
      },
    );

    app.post(
      '/v1/egress-policy/check',
      {
        schema: {
          tags,
          summary: 'Would a URL be reachable? (dry run)',
          description:
            'Judges the URL as an outbound call made for your organization would be judged now (platform ' +
            'policy, then your rules, with the host resolved), and names the rule that decided. Sends no ' +
            'request and spends no rate limit. Needs `egress:read`.',
          body: EgressCheckBody,
          response: { 200: EgressCheckSchema, ...problemResponses(401, 403, 413, 415, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('egress:read', { type: 'org', orgId: req.principal.orgId });
        return service.check(actorOf(req.principal, String(req.id)), req.body.url);
      },
    );
  };
}
