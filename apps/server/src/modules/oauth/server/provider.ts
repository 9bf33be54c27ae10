import type { JWK } from 'jose';
import Provider, {
  type Adapter,
  type ClientMetadata,
  errors,
  type KoaContextWithOIDC,
  type Token,
} from 'oidc-provider';
import type { FetchFunction } from '../../../platform/egress/index.ts';
import {
  ACCESS_TOKEN_TTL_S,
  isMcpEndpoint,
  issuerOf,
  type Resources,
  resourcesOf,
} from '../tokens/resources.ts';
import { FIRST_PARTY_CLIENT_IDS, firstPartyClients } from './clients.ts';
import {
  renderDeviceCodePage,
  renderDeviceConfirmPage,
  renderDeviceDonePage,
  renderErrorPage,
  renderLogoutPage,
} from './interaction-views.ts';
import type { FindUser } from './oauth-user.ts';

export interface ProviderOptions {
  readonly publicUrl: string;
  readonly adapter: (model: string) => Adapter;
  /** Private JWKs, the active key of each algorithm first. */
  readonly jwks: readonly JWK[];
  readonly cookieKeys: readonly string[];
  /** Scope words the API understands (`read`, `servers:write`, ...). */
  readonly apiScopes: readonly string[];
  readonly findUser: FindUser;
  /** Egress fetch: the only way oidc-provider reaches client JWKS or sector identifier URLs. */
  readonly fetch: FetchFunction;
  readonly onError?: (err: unknown, where: string) => void;
}

const DAY = 24 * 60 * 60;

/**
 * The device pages are oidc-provider's responses, not ours: the same no-framing (a confirm button must not be
 * clickjacked) and no-store headers as our pages, without the script ban, since oidc-provider's step for
 * `verification_uri_complete` posts the code with a script.
 */
const DEVICE_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
});

/** Why a typed code was not accepted, in words (oidc-provider's re-render errors carry a name). */
function deviceCodeProblem(err: Error | undefined): string | undefined {
  if (err === undefined) return undefined;
  if (err.name === 'NoCodeError' || err.name === 'NotFoundError')
    return 'That code is not right; check it and try again.';
  if (err.name === 'ExpiredError') return 'That code has expired; start the sign-in again in your terminal.';
  if (err.name === 'AlreadyUsedError')
    return 'That code was already used; start the sign-in again in your terminal.';
  if (err.name === 'AbortedError') return 'The sign-in was cancelled.';
  return 'The code could not be checked; try again.';
}
const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];

/** An access token's lifetime in seconds: 5 minutes, or less when the client's secret expires sooner. */
export function untilExpiry(secretExpiresAt: number | undefined, now = Date.now()): number {
  if (secretExpiresAt === undefined || secretExpiresAt === 0) return ACCESS_TOKEN_TTL_S;
  return Math.max(1, Math.min(ACCESS_TOKEN_TTL_S, secretExpiresAt - Math.floor(now / 1000)));
}

function orgOfClient(client: { [k: string]: unknown } | undefined): string | undefined {
  const v = client?.org_id;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Rules for clients registered dynamically (RFC 7591, how MCP clients get a client_id): public code-flow clients
 * only. Machine clients (client_credentials) belong to an org and are registered by its admins.
 */
function validateClientMetadata(
  ctx: KoaContextWithOIDC | undefined,
  key: string,
  value: unknown,
  m: ClientMetadata,
) {
  // Who created a CI client (the credential whose revocation removes it): set by SprintConnect only.
  if (key === 'created_by') {
    if (value !== undefined && (typeof value !== 'string' || ctx?.oidc?.route === 'registration')) {
      throw new errors.InvalidClientMetadata('created_by cannot be registered');
    }
    return;
  }
  if (key !== 'org_id') return;
  if (value !== undefined && typeof value !== 'string') {
    throw new errors.InvalidClientMetadata('org_id must be a string');
  }
  const grants = m.grant_types ?? [];
  if (ctx?.oidc?.route === 'registration') {
    if (value !== undefined)
      throw new errors.InvalidClientMetadata('org_id cannot be registered dynamically');
    if (m.token_endpoint_auth_method !== 'none') {
      throw new errors.InvalidClientMetadata(
        'dynamically registered clients must be public (token_endpoint_auth_method none)',
      );
    }
    if (grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
      throw new errors.InvalidClientMetadata(
        'dynamically registered clients may use authorization_code and refresh_token only',
      );
    }
  }
  if (grants.includes('client_credentials') && value === undefined) {
    throw new errors.InvalidClientMetadata('client_credentials clients must belong to an org (org_id)');
  }
}

/**
 * SprintConnect's authorization server (oidc-provider 9, mounted at /oidc): authorization code with PKCE S256
 * (required for every client), client_credentials for org machine clients, rotating refresh tokens, DPoP,
 * introspection and revocation, and 5-minute JWT access tokens whose audience is one resource (RFC 8707).
 */
export function buildProvider(o: ProviderOptions): Provider {
  const resources: Resources = resourcesOf(o.publicUrl);
  const known = new Set([resources.api, resources.mcp]);

  const provider = new Provider(issuerOf(o.publicUrl), {
    adapter: o.adapter,
    clients: firstPartyClients(o.publicUrl),
    jwks: { keys: o.jwks.map((k) => ({ ...k })) },
    fetch: o.fetch,
    cookies: {
      keys: [...o.cookieKeys],
      names: { session: '_sc_oidc_session', interaction: '_sc_oidc_interaction', resume: '_sc_oidc_resume' },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    scopes: [...OIDC_SCOPES, ...o.apiScopes],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    extraClientMetadata: { properties: ['org_id', 'created_by'], validator: validateClientMetadata },
    clientBasedCORS: (_ctx: unknown, _origin: string, client: { clientAuthMethod: string }) =>
      client.clientAuthMethod === 'none',
    enabledJWA: { dPoPSigningAlgValues: ['ES256', 'EdDSA', 'RS256'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      introspection: {
        enabled: true,
        // A client learns about its own tokens only; nothing crosses orgs through introspection.
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: Token) =>
          token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: Token) =>
          token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf ?? resources.api,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          const endpoint = isMcpEndpoint(resources, indicator);
          if (!known.has(indicator) && !endpoint) {
            throw new errors.InvalidTarget(
              `resource must be ${resources.api}, ${resources.mcp} or ${resources.mcp}/<endpoint slug>`,
            );
          }
          return {
            scope: o.apiScopes.join(' '),
            // A virtual server's endpoint is served by the gateway: its tokens are the gateway's (ADR 0040).
            audience: endpoint ? resources.mcp : indicator,
            accessTokenTTL: ACCESS_TOKEN_TTL_S,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
      // Issue 10 point 8: `sprintconnect login` without a local browser (SSH, containers) uses the device
      // authorization grant (RFC 8628); only first-party clients are allowed the grant (clients.ts).
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        deviceInfo: (ctx: KoaContextWithOIDC) => ({ ip: ctx.ip, userAgent: ctx.get('user-agent') }),
        userCodeInputSource: async (ctx: KoaContextWithOIDC, form: string, _out: unknown, err?: Error) => {
          ctx.set(DEVICE_PAGE_HEADERS);
          ctx.type = 'html';
          ctx.body = renderDeviceCodePage(form, deviceCodeProblem(err));
        },
        userCodeConfirmSource: async (
          ctx: KoaContextWithOIDC,
          form: string,
          client: { clientName?: string; clientId: string },
          _deviceInfo: unknown,
          userCode: string,
        ) => {
          ctx.set(DEVICE_PAGE_HEADERS);
          ctx.type = 'html';
          ctx.body = renderDeviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        successSource: async (ctx: KoaContextWithOIDC) => {
          ctx.set(DEVICE_PAGE_HEADERS);
          ctx.type = 'html';
          const client = ctx.oidc.client;
          ctx.body = renderDeviceDonePage(client?.clientName ?? client?.clientId ?? 'The application');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form);
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = '<!DOCTYPE html><title>Signed out</title><p>You are signed out of SprintConnect.</p>';
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = await o.findUser(sub);
      if (user === undefined) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, email: user.email, name: user.name }) };
    },
    // Every access token names its org, so the API knows the tenant without a lookup (ADR 0009).
    async extraTokenClaims(ctx, token) {
      if (token.accountId === undefined) {
        const org = orgOfClient(token.client ?? ctx.oidc.client);
        return org === undefined ? undefined : { org_id: org };
      }
      const user = await o.findUser(token.accountId);
      const source = (ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken) as
        | { authTime?: number }
        | undefined;
      // Name and email let the API show who is calling without a lookup; tokens live 5 minutes.
      return { org_id: user?.orgId, auth_time: source?.authTime, email: user?.email, name: user?.name };
    },
    rotateRefreshToken: true,
    // OAuth 2.1 clients (the CLI, MCP clients) expect a refresh token without OpenID's offline_access dance;
    // it outlives the browser session at /oidc (the CLI keeps working after the console signs out).
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(g: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_S,
      // A client that expires (issue 8 fixes, D4) gets no token that outlives it.
      ClientCredentials: (_ctx: unknown, _token: unknown, client: { clientSecretExpiresAt?: number }) =>
        untilExpiry(client.clientSecretExpiresAt),
      AuthorizationCode: 60,
      // RFC 8628 §3.2 expires_in: ten minutes to type the code on another device.
      DeviceCode: 600,
      IdToken: 600,
      Interaction: 600,
      Session: DAY,
      Grant: 14 * DAY,
      RefreshToken: 14 * DAY,
    },
    renderError: async (ctx: KoaContextWithOIDC, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error ?? 'error', out.error_description ?? 'The request failed.');
    },
  });
  provider.proxy = o.publicUrl.startsWith('https:');
  provider.on('server_error', (_ctx: unknown, err: unknown) => o.onError?.(err, 'server_error'));
  return provider;
}

export const isFirstParty = (clientId: string): boolean => FIRST_PARTY_CLIENT_IDS.has(clientId);
