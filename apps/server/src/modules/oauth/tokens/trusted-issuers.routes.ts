import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IdParams,
  problemResponses,
  TrustedIssuerBody,
  type TrustedIssuerBodyInput,
  TrustedIssuerListSchema,
  TrustedIssuerSchema,
} from '@sprintconnect/contracts';
import { AppError } from '../../../kernel/index.ts';
import type { CheckUrlResult, UrlRefusal } from '../../../platform/egress/index.ts';
import { refusalOf } from '../../../platform/egress/index.ts';
import type { Authorizer } from '../../authz/index.ts';
import { actorOf } from '../../identity/index.ts';
import { REFUSAL_CODE, type TrustedIssuers } from './trusted-issuers.ts';

const tags = ['trusted-issuers'];

/**
 * The org-scoped egress pre-flight of a URL (the egress-policy module's): a failure names the refusing rule's
 * code, so a name that does not resolve (now) is told from a refused one.
 */
export type CheckEgressUrl = (orgId: string, url: string) => Promise<CheckUrlResult>;

export interface TrustedIssuerRoutesDeps {
  readonly issuers: Pick<TrustedIssuers, 'add' | 'remove' | 'list'>;
  readonly checkUrl: CheckEgressUrl;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/;

/** https, or plain http to a loopback address only (development and tests; RFC 8252 §8.3). */
function schemeProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://idp.example.com';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '') return 'must not have a fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return undefined;
  return 'must use https (plain http is accepted only for a loopback address)';
}

/**
 * Both URLs go through the egress policy (metadata, link-local and private addresses are refused unless
 * SPRINTCONNECT_EGRESS_ALLOW lets them). The issuer is only compared, never fetched, so a name that does not
 * resolve is accepted for it; the JWKS URL is fetched, so it must pass entirely.
 */
async function checkUrls(
  checkUrl: (url: string) => ReturnType<CheckEgressUrl>,
  input: TrustedIssuerBodyInput,
): Promise<void> {
  const errors: { pointer: string; detail: string }[] = [];
  const refusals: UrlRefusal[] = [];
  for (const [pointer, value, fetched] of [
    ['/issuer', input.issuer, false],
    ['/jwksUri', input.jwksUri, true],
  ] as const) {
    const scheme = schemeProblem(value);
    if (scheme !== undefined) {
      errors.push({ pointer, detail: scheme });
      refusals.push('platform');
      continue;
    }
    const r = await checkUrl(value);
    if (!r.ok && (fetched || r.code !== 'egress_dns_failed')) {
      errors.push({ pointer, detail: r.detail });
      refusals.push(refusalOf(r.code));
    }
  }
  if (errors.length > 0) {
    // The first refusal names the code (issuer before jwksUri); every field's rule is in `errors`.
    throw new AppError(
      REFUSAL_CODE[refusals[0]!],
      `The ${errors.map((e) => e.pointer.slice(1)).join(' and ')} is not allowed.`,
      {
        errors,
      },
    );
  }
}

/** Story 8.6: the identity providers an org trusts to mint access tokens for it. Owner-level (`sso:write`). */
export function trustedIssuerRoutes(deps: TrustedIssuerRoutesDeps): FastifyPluginAsyncTypebox {
  const { issuers } = deps;
  const guard = (authz: Authorizer) =>
    authz.assert('sso:write', { type: 'org', orgId: authz.principal.orgId });
  return async (app) => {
    app.post(
      '/v1/trusted-issuers',
      {
        schema: {
          tags,
          summary: 'Trust an identity provider',
          description:
            'Access tokens with this `iss` and `aud`, signed by a key at `jwksUri`, are accepted for your ' +
            'organization; what they may do comes from the roles of their subject. Needs `sso:write`. Other ' +
            'organizations may trust the same issuer and audience; a token that satisfies the entries of several ' +
            'is refused, so an IdP shared with others should put your organization audience ' +
            '`<public URL>/v1/orgs/<your org id>` in `aud`, which only your organization can require. Trusting ' +
            'the same issuer and audience twice is a 409.',
          body: TrustedIssuerBody,
          response: {
            201: TrustedIssuerSchema,
            ...problemResponses(401, 403, 409, 413, 415, 422, 429),
          },
        },
      },
      async (req, reply) => {
        guard(req.authz);
        const input = req.body as TrustedIssuerBodyInput;
        await checkUrls((url) => deps.checkUrl(req.principal.orgId, url), input);
        const created = await issuers.add(actorOf(req.principal, String(req.id)), input);
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/v1/trusted-issuers',
      {
        schema: {
          tags,
          summary: 'List trusted identity providers',
          response: { 200: TrustedIssuerListSchema, ...problemResponses(401, 403, 429) },
        },
      },
      async (req) => {
        guard(req.authz);
        return { items: await issuers.list(actorOf(req.principal, String(req.id))) };
      },
    );

    app.delete(
      '/v1/trusted-issuers/:id',
      {
        schema: {
          tags,
          summary: 'Stop trusting an identity provider',
          description: 'Its tokens are refused within 30 seconds in every SprintConnect process.',
          params: IdParams,
          response: {
            204: { type: 'null', description: 'Removed' },
            ...problemResponses(401, 403, 404, 422, 429),
          },
        },
      },
      async (req, reply) => {
        guard(req.authz);
        const { id } = req.params;
        if (!(await issuers.remove(actorOf(req.principal, String(req.id)), id))) {
          throw new AppError('not_found', `There is no trusted issuer ${id} in this organization.`);
        }
        return reply.status(204).send(null);
      },
    );
  };
}
