import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BudgetSchema,
  problemResponses,
  QuotaListSchema,
  QuotaParams,
  QuotaSchema,
  SetBudgetBody,
  type SetBudgetInput,
  SetQuotaBody,
  type SetQuotaInput,
} from '@sprintconnect/contracts';
import { actorOf } from '../identity/index.ts';
import type { BudgetService } from './budget.service.ts';
import type { QuotaService } from './quotas.service.ts';

const tags = ['quotas'];

export function quotaRoutes(quotas: QuotaService, budget: BudgetService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/quotas',
      {
        schema: {
          tags,
          summary: "List the organization's quotas with their limits and usage",
          response: { 200: QuotaListSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        req.authz.assert('quotas:read', { type: 'org', orgId: req.principal.orgId });
        return { items: await quotas.list(actorOf(req.principal, String(req.id))) };
      },
    );

    app.put(
      '/v1/quotas/:name',
      {
        schema: {
          tags,
          summary: "Override one of the organization's quota limits",
          description: 'Sets the limit for this organization; `null` returns to the default. Audited.',
          params: QuotaParams,
          body: SetQuotaBody,
          response: { 200: QuotaSchema, ...problemResponses(401, 403, 404, 415, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('quotas:write', { type: 'org', orgId: req.principal.orgId });
        return quotas.set(
          actorOf(req.principal, String(req.id)),
          req.params.name,
          (req.body as SetQuotaInput).limit,
        );
      },
    );

    app.get(
      '/v1/budget',
      {
        schema: {
          tags,
          summary: "The organization's monthly usage budget and this month's usage",
          response: { 200: BudgetSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        req.authz.assert('quotas:read', { type: 'org', orgId: req.principal.orgId });
        return budget.get(actorOf(req.principal, String(req.id)));
      },
    );

    app.put(
      '/v1/budget',
      {
        schema: {
          tags,
          summary: "Set the organization's monthly usage budget",
          description:
            'Sets the monthly limit and what happens when it is used up (`block` or `throttle`); a `null` limit ' +
            'with no mode returns to the default. Audited.',
          body: SetBudgetBody,
          response: { 200: BudgetSchema, ...problemResponses(401, 403, 415, 422, 429) },
        },
      },
      async (req) => {
        req.authz.assert('quotas:write', { type: 'org', orgId: req.principal.orgId });
        return budget.set(actorOf(req.principal, String(req.id)), req.body as SetBudgetInput);
      },
    );
  };
}
