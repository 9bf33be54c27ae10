import type { StoredLogin } from '../auth/credentials.ts';

/** Tests only: a stored login whose access token is fresh until 2030. */
export const LOGIN: StoredLogin = {
  version: 1,
  server: 'http://127.0.0.1:8080',
  issuer: 'http://127.0.0.1:8080/oidc',
  tokenEndpoint: 'http://127.0.0.1:8080/oidc/token',
  revocationEndpoint: 'http://127.0.0.1:8080/oidc/token/revocation',
  resource: 'http://127.0.0.1:8080/v1',
  clientId: 'sprintconnect-cli',
  accessToken: 'at-1',
  refreshToken: 'rt-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
};
