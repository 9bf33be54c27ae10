import type { SsoConfigInput, SsoConfigView } from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../../kernel/index.ts';
import { AppError } from '../../../kernel/index.ts';
import type { Db, Tx } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import type { CheckUrlResult } from '../../../platform/egress/index.ts';
import { recordChange } from '../../audit/index.ts';
import { findOrg, type Secrets } from '../../tenancy/index.ts';
import { checkIssuerUrl } from './issuer-url.ts';
import type { OidcClients, ProviderSettings } from './oidc-client.ts';
import { classifyOidcError } from './oidc-errors.ts';
import { findSsoConfig, type SsoConfigRow, upsertSsoConfig } from './sso.repo.ts';

export const SSO_SECRET_PURPOSE = 'sso-client-secret';

export interface SsoConfigService {
  get(actor: Actor): Promise<SsoConfigView>;
  put(actor: Actor, input: SsoConfigInput): Promise<SsoConfigView>;
  /** The provider settings of an org with the secret opened, for a sign-in; undefined when not configured. */
  provider(
    tx: Tx,
    orgId: string,
  ): Promise<{ settings: ProviderSettings; version: string; allowedEmailDomains: string[] } | undefined>;
}

const invalid = (pointer: string, detail: string) =>
  new AppError('validation_failed', `${pointer.slice(1)} ${detail}.`, { errors: [{ pointer, detail }] });

export function createSsoConfigService(deps: {
  db: Db;
  secrets: Secrets;
  oidc: OidcClients;
  /** The org-scoped egress pre-flight (platform policy, then the org's egress rules). */
  checkUrl: (orgId: string, url: string) => Promise<CheckUrlResult>;
  publicUrl: string;
  clock: Clock;
}): SsoConfigService {
  const { db, secrets } = deps;

  const view = (row: SsoConfigRow, slug: string): SsoConfigView => ({
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretSet: true,
    allowedEmailDomains: row.allowed_email_domains,
    redirectUri: `${deps.publicUrl}/auth/sso/callback`,
    loginUrl: `${deps.publicUrl}/auth/sso/${slug}/login`,
    endpoints: { authorization: row.authorization_endpoint, token: row.token_endpoint },
    updatedAt: row.updated_at.toISOString(),
  });

  async function orgSlug(tx: Tx, orgId: string): Promise<string> {
    return (await findOrg(tx, orgId))?.slug ?? '';
  }

  return {
    async get(actor) {
      return withTenant(db, actor.orgId, async (tx) => {
        const row = await findSsoConfig(tx, actor.orgId);
        if (row === undefined) {
          throw new AppError(
            'sso_not_configured',
            'This organization has no identity provider yet; configure one with PUT /v1/sso.',
          );
        }
        return view(row, await orgSlug(tx, actor.orgId));
      });
    },

    async put(actor, input) {
      const issuerCheck = checkIssuerUrl(input.issuer);
      if (!issuerCheck.ok) throw invalid('/issuer', issuerCheck.detail);
      const egress = await deps.checkUrl(actor.orgId, input.issuer);
      if (!egress.ok)
        throw new AppError('url_not_allowed', `The issuer URL is not allowed: ${egress.detail}`);

      const existing = await withTenant(db, actor.orgId, async (tx) => {
        const row = await findSsoConfig(tx, actor.orgId);
        return row === undefined
          ? undefined
          : await secrets.open(tx, actor.orgId, SSO_SECRET_PURPOSE, row.client_secret);
      });
      const clientSecret = input.clientSecret ?? existing;
      if (clientSecret === undefined) throw invalid('/clientSecret', 'is required the first time');

      // Discovery before saving: a config that cannot sign anyone in is refused, with the provider's reason.
      let endpoints: { authorization: string; token: string };
      try {
        const config = await deps.oidc.discover(actor.orgId, {
          issuer: input.issuer,
          clientId: input.clientId,
          clientSecret,
        });
        const meta = config.serverMetadata();
        if (meta.authorization_endpoint === undefined || meta.token_endpoint === undefined) {
          throw new TypeError('the configuration lacks authorization_endpoint or token_endpoint');
        }
        endpoints = { authorization: meta.authorization_endpoint, token: meta.token_endpoint };
      } catch (e) {
        const reason =
          e instanceof TypeError && e.cause === undefined ? e.message : classifyOidcError(e).detail;
        throw new AppError(
          'sso_discovery_failed',
          `Could not read the OpenID configuration at ${input.issuer}/.well-known/openid-configuration: ${reason}.`,
        );
      }

      return withTenant(db, actor.orgId, async (tx) => {
        const now = deps.clock.now();
        await upsertSsoConfig(tx, {
          orgId: actor.orgId,
          issuer: input.issuer,
          clientId: input.clientId,
          clientSecret: await secrets.seal(tx, actor.orgId, SSO_SECRET_PURPOSE, clientSecret),
          allowedEmailDomains: input.allowedEmailDomains ?? [],
          authorizationEndpoint: endpoints.authorization,
          tokenEndpoint: endpoints.token,
          updatedBy: `${actor.type}:${actor.id}`,
          now,
        });
        await recordChange(
          tx,
          actor,
          {
            action: existing === undefined ? 'sso.configured' : 'sso.updated',
            target: { type: 'org', id: actor.orgId },
            data: {
              issuer: input.issuer,
              clientId: input.clientId,
              allowedEmailDomains: input.allowedEmailDomains ?? [],
              clientSecretChanged: input.clientSecret !== undefined,
            },
          },
          deps.clock,
        );
        const row = await findSsoConfig(tx, actor.orgId);
        return view(row!, await orgSlug(tx, actor.orgId));
      });
    },

    async provider(tx, orgId) {
      const row = await findSsoConfig(tx, orgId);
      if (row === undefined) return undefined;
      return {
        settings: {
          issuer: row.issuer,
          clientId: row.client_id,
          clientSecret: await secrets.open(tx, orgId, SSO_SECRET_PURPOSE, row.client_secret),
        },
        version: row.updated_at.toISOString(),
        allowedEmailDomains: row.allowed_email_domains,
      };
    },
  };
}
