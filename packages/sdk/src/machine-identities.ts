import type {
  CreateOAuthClientInput,
  ForceFlag,
  OAuthClientView,
  TrustedIssuerBodyInput,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import type { CreatedOAuthClient, TrustedIssuer } from './types.ts';

/** `/v1/oauth-clients`: CI clients for client_credentials; the secret is in the create reply only. */
export interface OAuthClientsApi {
  list(): Promise<{ items: OAuthClientView[] }>;
  create(body: CreateOAuthClientInput): Promise<CreatedOAuthClient>;
  /** `force`: even the org's last credential able to administer it. */
  delete(clientId: string, opts?: ForceFlag): Promise<void>;
}

/** `/v1/trusted-issuers`: identity providers whose access tokens the org accepts. */
export interface TrustedIssuersApi {
  list(): Promise<{ items: TrustedIssuer[] }>;
  add(body: TrustedIssuerBodyInput): Promise<TrustedIssuer>;
  remove(id: string): Promise<void>;
}

export function oauthClientsApi(request: Requester): OAuthClientsApi {
  return {
    list: () => request('GET', '/v1/oauth-clients'),
    create: (body) => request('POST', '/v1/oauth-clients', { body }),
    delete: (clientId, opts = {}) =>
      request('DELETE', `/v1/oauth-clients/${segment(clientId)}`, {
        query: { force: opts.force || undefined },
      }),
  };
}

export function trustedIssuersApi(request: Requester): TrustedIssuersApi {
  return {
    list: () => request('GET', '/v1/trusted-issuers'),
    add: (body) => request('POST', '/v1/trusted-issuers', { body }),
    remove: (id) => request('DELETE', `/v1/trusted-issuers/${segment(id)}`),
  };
}
