import * as oidc from 'openid-client';
import type { StoredLogin } from './credentials.ts';

/** SprintConnect's first-party public client for the CLI (loopback redirect, PKCE S256). */
export const CLI_CLIENT_ID = 'sprintconnect-cli';
/** The user's own reach: the token can do what the user's roles allow, no more. */
export const DEFAULT_SCOPE = 'openid offline_access read write admin';

type Fetch = typeof fetch;

function configure(
  config: oidc.Configuration,
  url: string,
  fetchImpl: Fetch | undefined,
): oidc.Configuration {
  // A plain-http SprintConnect (local `npm start`) serves its authorization server over http too.
  if (new URL(url).protocol === 'http:') oidc.allowInsecureRequests(config);
  if (fetchImpl !== undefined) config[oidc.customFetch] = (u, o) => fetchImpl(u, o);
  return config;
}

/** Discovers the authorization server at `<server>/oidc`. */
export async function discover(server: string, fetchImpl?: Fetch): Promise<oidc.Configuration> {
  const issuer = new URL(`${server}/oidc`);
  const insecure = issuer.protocol === 'http:';
  return oidc.discovery(issuer, CLI_CLIENT_ID, undefined, oidc.None(), {
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    ...(fetchImpl === undefined
      ? {}
      : { [oidc.customFetch]: (u: string, o: oidc.CustomFetchOptions) => fetchImpl(u, o) }),
  });
}

/** The client configuration a stored login refreshes and revokes with, without discovery. */
export function configFromLogin(login: StoredLogin, fetchImpl?: Fetch): oidc.Configuration {
  const config = new oidc.Configuration(
    {
      issuer: login.issuer,
      token_endpoint: login.tokenEndpoint,
      ...(login.revocationEndpoint === undefined ? {} : { revocation_endpoint: login.revocationEndpoint }),
    },
    login.clientId,
    undefined,
    oidc.None(),
  );
  return configure(config, login.tokenEndpoint, fetchImpl);
}

export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly verifier: string;
}

export async function authorizationRequest(
  config: oidc.Configuration,
  o: { redirectUri: string; scope: string; resource: string; state: string },
): Promise<AuthorizationRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: o.redirectUri,
    scope: o.scope,
    resource: o.resource,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: o.state,
  });
  return { url, state: o.state, verifier };
}

export const randomState = (): string => oidc.randomState();

/** Exchanges the code from the loopback callback (state, issuer and PKCE checked by openid-client). */
export async function exchangeCode(
  config: oidc.Configuration,
  callback: URL,
  req: AuthorizationRequest,
): Promise<oidc.TokenEndpointResponse> {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: req.verifier,
    expectedState: req.state,
  });
}

/** The stored form of a token response; a refresh that returns no new refresh token keeps the old one. */
export function toStoredLogin(
  server: string,
  config: oidc.Configuration,
  resource: string,
  tokens: oidc.TokenEndpointResponse,
  now: number,
  previousRefreshToken?: string,
): StoredLogin {
  const meta = config.serverMetadata();
  if (meta.token_endpoint === undefined) throw new Error('the authorization server has no token endpoint');
  return {
    version: 1,
    server,
    issuer: meta.issuer,
    tokenEndpoint: meta.token_endpoint,
    revocationEndpoint: meta.revocation_endpoint,
    resource,
    clientId: config.clientMetadata().client_id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previousRefreshToken,
    expiresAt: new Date(now + (tokens.expires_in ?? 0) * 1000).toISOString(),
  };
}

export async function refresh(login: StoredLogin, fetchImpl?: Fetch): Promise<oidc.TokenEndpointResponse> {
  if (login.refreshToken === undefined) throw new Error('no refresh token');
  return oidc.refreshTokenGrant(configFromLogin(login, fetchImpl), login.refreshToken, {
    resource: login.resource,
  });
}

/** Revokes the refresh token (and with it the grant's further access) at the revocation endpoint. */
export async function revoke(login: StoredLogin, fetchImpl?: Fetch): Promise<void> {
  if (login.refreshToken === undefined || login.revocationEndpoint === undefined) return;
  await oidc.tokenRevocation(configFromLogin(login, fetchImpl), login.refreshToken, {
    token_type_hint: 'refresh_token',
  });
}

/** The authorization server turned the grant down (expired, revoked, or not this client's). */
export const isInvalidGrant = (e: unknown): boolean =>
  e instanceof oidc.ResponseBodyError && e.error === 'invalid_grant';

/** RFC 8628 §3.1: asks for a device code and the user code the person types at `verification_uri`. */
export async function startDeviceAuthorization(
  config: oidc.Configuration,
  o: { scope: string; resource: string },
): Promise<oidc.DeviceAuthorizationResponse> {
  if (config.serverMetadata().device_authorization_endpoint === undefined) {
    throw new Error('this SprintConnect does not offer device sign-in; use `sprintconnect login --browser`');
  }
  return oidc.initiateDeviceAuthorization(config, { scope: o.scope, resource: o.resource });
}

/**
 * RFC 8628 §3.4-3.5: polls the token endpoint at the interval the server asks for (slowing down when told to)
 * until the person approves or refuses, the code expires, or `signal` aborts.
 */
export async function pollDeviceAuthorization(
  config: oidc.Configuration,
  started: oidc.DeviceAuthorizationResponse,
  signal: AbortSignal,
): Promise<oidc.TokenEndpointResponse> {
  try {
    return await oidc.pollDeviceAuthorizationGrant(config, started, undefined, { signal });
  } catch (e) {
    if (e instanceof oidc.ResponseBodyError) {
      const why =
        e.error === 'access_denied'
          ? 'the sign-in was refused in the browser'
          : e.error === 'expired_token'
            ? 'the code expired before it was approved'
            : (e.error_description ?? e.error);
      throw new Error(`sign-in failed: ${why}; run login again`);
    }
    throw e;
  }
}
