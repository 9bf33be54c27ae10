import * as oidc from 'openid-client';
import type { FetchFunction } from '../../../platform/egress/index.ts';
import { checkIssuerUrl } from './issuer-url.ts';

/**
 * openid-client configurations for org providers. Every request goes through the egress fetch (the only way
 * out), discovery is automatic, and a configuration is reused for a few minutes per org and config version so
 * a login does not cost a discovery round trip; a changed config (new version) is never served stale.
 */
export interface ProviderSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface OidcClients {
  /** Discovers the provider of `orgId` now (no cache). Throws openid-client / egress errors. */
  discover(orgId: string, p: ProviderSettings): Promise<oidc.Configuration>;
  /** A cached configuration for `orgId` at `version`, discovered on a miss. */
  configFor(orgId: string, version: string, p: ProviderSettings): Promise<oidc.Configuration>;
}

const CACHE_MS = 5 * 60 * 1000;
const TIMEOUT_SECONDS = 10;

export function createOidcClients(deps: {
  /** The org's egress fetch: its egress rules and outbound rate limit apply to its provider (ADR 0014). */
  fetchFor: (orgId: string) => FetchFunction;
  now: () => number;
}): OidcClients {
  const cache = new Map<string, { version: string; at: number; config: oidc.Configuration }>();

  async function discover(orgId: string, p: ProviderSettings): Promise<oidc.Configuration> {
    const customFetch = deps.fetchFor(orgId) as unknown as oidc.CustomFetch;
    const check = checkIssuerUrl(p.issuer);
    if (!check.ok) throw new TypeError(`issuer ${check.detail}`);
    const execute = check.insecure ? [oidc.allowInsecureRequests] : [];
    const found = await oidc.discovery(check.url, p.clientId, p.clientSecret, undefined, {
      [oidc.customFetch]: customFetch,
      execute,
      timeout: TIMEOUT_SECONDS,
    });
    // Client authentication: client_secret_basic is the OIDC default (Core §9) and what most providers expect;
    // use client_secret_post only when the provider says it supports post and not basic.
    const methods = found.serverMetadata().token_endpoint_auth_methods_supported;
    const post =
      methods !== undefined &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post');
    const config = new oidc.Configuration(
      found.serverMetadata(),
      p.clientId,
      p.clientSecret,
      post ? oidc.ClientSecretPost(p.clientSecret) : oidc.ClientSecretBasic(p.clientSecret),
    );
    config[oidc.customFetch] = customFetch;
    config.timeout = TIMEOUT_SECONDS;
    for (const f of execute) f(config);
    return config;
  }

  return {
    discover,
    async configFor(orgId, version, p) {
      const hit = cache.get(orgId);
      if (hit !== undefined && hit.version === version && deps.now() - hit.at < CACHE_MS) return hit.config;
      const config = await discover(orgId, p);
      cache.set(orgId, { version, at: deps.now(), config });
      return config;
    },
  };
}
