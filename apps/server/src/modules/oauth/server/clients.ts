import type { ClientMetadata } from 'oidc-provider';

export const CONSOLE_CLIENT_ID = 'sprintconnect-console';
export const CLI_CLIENT_ID = 'sprintconnect-cli';

/** First-party public clients: no consent screen (the user is signing in to SprintConnect itself). */
export const FIRST_PARTY_CLIENT_IDS: ReadonlySet<string> = new Set([CONSOLE_CLIENT_ID, CLI_CLIENT_ID]);

const PUBLIC_CODE_CLIENT = {
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;

/**
 * The console (a web client on our own origin) and the CLI (a native app receiving the code on a loopback
 * redirect, RFC 8252 §7.3: any port on 127.0.0.1 or [::1], the path must match exactly).
 */
export function firstPartyClients(publicUrl: string): ClientMetadata[] {
  return [
    {
      ...PUBLIC_CODE_CLIENT,
      grant_types: [...PUBLIC_CODE_CLIENT.grant_types],
      response_types: [...PUBLIC_CODE_CLIENT.response_types],
      client_id: CONSOLE_CLIENT_ID,
      client_name: 'SprintConnect console',
      application_type: 'web',
      redirect_uris: [`${publicUrl}/console/oauth/callback`],
    },
    {
      ...PUBLIC_CODE_CLIENT,
      grant_types: [...PUBLIC_CODE_CLIENT.grant_types],
      response_types: [...PUBLIC_CODE_CLIENT.response_types],
      client_id: CLI_CLIENT_ID,
      client_name: 'SprintConnect CLI',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
    },
  ];
}
