import type { ApiKeysApi } from './api-keys.ts';
import { apiKeysApi } from './api-keys.ts';
import type { CapabilitiesApi } from './capabilities.ts';
import { capabilitiesApi } from './capabilities.ts';
import type { HttpOptions } from './http.ts';
import { createRequester } from './http.ts';
import type { JobsApi } from './jobs.ts';
import { jobsApi } from './jobs.ts';
import type { OAuthClientsApi, TrustedIssuersApi } from './machine-identities.ts';
import { oauthClientsApi, trustedIssuersApi } from './machine-identities.ts';
import type { MeApi } from './me.ts';
import { meApi } from './me.ts';
import type { BudgetApi, EgressApi, QuotasApi, SsoApi } from './org-settings.ts';
import { budgetApi, egressApi, quotasApi, ssoApi } from './org-settings.ts';
import type { PoliciesApi } from './policies.ts';
import { policiesApi } from './policies.ts';
import type { RolesApi, UsersApi } from './roles.ts';
import { rolesApi, usersApi } from './roles.ts';
import type { SearchApi } from './search.ts';
import { searchApi } from './search.ts';
import type { ServersApi } from './servers.ts';
import { serversApi } from './servers.ts';
import type { ManifestsApi, TrustApi } from './trust.ts';
import { manifestsApi, trustApi } from './trust.ts';
import type { UsageApi } from './usage.ts';
import { usageApi } from './usage.ts';
import type { VirtualServersApi } from './virtual-servers.ts';
import { virtualServersApi } from './virtual-servers.ts';

export type ClientOptions = HttpOptions;

export interface SprintConnectClient {
  readonly servers: ServersApi;
  readonly capabilities: CapabilitiesApi;
  readonly manifests: ManifestsApi;
  readonly jobs: JobsApi;
  readonly search: SearchApi;
  readonly me: MeApi;
  readonly apiKeys: ApiKeysApi;
  readonly roles: RolesApi;
  readonly users: UsersApi;
  readonly policies: PoliciesApi;
  readonly egress: EgressApi;
  readonly oauthClients: OAuthClientsApi;
  readonly trustedIssuers: TrustedIssuersApi;
  readonly trust: TrustApi;
  readonly quotas: QuotasApi;
  readonly budget: BudgetApi;
  readonly sso: SsoApi;
  readonly virtualServers: VirtualServersApi;
  readonly usage: UsageApi;
}

/**
 * A typed client for the SprintConnect REST API. `fetch` defaults to the global one; pass your own to add a
 * proxy, retries or test doubles.
 */
export function createClient(opts: ClientOptions): SprintConnectClient {
  const request = createRequester(opts);
  return {
    servers: serversApi(request),
    capabilities: capabilitiesApi(request),
    manifests: manifestsApi(request),
    jobs: jobsApi(request),
    search: searchApi(request),
    me: meApi(request),
    apiKeys: apiKeysApi(request),
    roles: rolesApi(request),
    users: usersApi(request),
    policies: policiesApi(request),
    egress: egressApi(request),
    oauthClients: oauthClientsApi(request),
    trustedIssuers: trustedIssuersApi(request),
    trust: trustApi(request),
    quotas: quotasApi(request),
    budget: budgetApi(request),
    sso: ssoApi(request),
    virtualServers: virtualServersApi(request),
    usage: usageApi(request),
  };
}
