import type { CreateServerInput, UpdateServerInput } from '@sprintconnect/contracts';
import type { Tx } from '../../platform/db/index.ts';
import type { Secrets } from '../tenancy/index.ts';

/**
 * How SprintConnect reaches a registered server: its URL, transport and own credential (story 2.1: a bearer token
 * or a named header), the credential sealed under the org's data key when given and opened only to connect
 * (discovery, the gateway's upstream calls); it is never returned by the API.
 */
const SECRET_PURPOSE = 'server-auth';

export interface ServerConnection {
  id: string;
  orgId: string;
  url: string;
  transport: 'streamable-http' | 'sse';
  headers: Record<string, string>;
}

/** The `servers` columns that hold a credential, its secret sealed. */
export async function sealServerAuth(
  secrets: Secrets,
  tx: Tx,
  orgId: string,
  auth: CreateServerInput['auth'],
) {
  if (auth === undefined || auth.type === 'none')
    return { auth_type: 'none' as const, auth_header_name: null, auth_secret: null };
  if (auth.type === 'bearer') {
    return {
      auth_type: 'bearer' as const,
      auth_header_name: null,
      auth_secret: await secrets.seal(tx, orgId, SECRET_PURPOSE, auth.token),
    };
  }
  return {
    auth_type: 'header' as const,
    auth_header_name: auth.name,
    auth_secret: await secrets.seal(tx, orgId, SECRET_PURPOSE, auth.value),
  };
}

/** The request headers that carry a stored credential, opened. */
export async function credentialHeaders(
  secrets: Secrets,
  tx: Tx,
  orgId: string,
  row: { auth_type: string; auth_header_name: string | null; auth_secret: Buffer | null },
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (row.auth_secret === null) return headers;
  const secret = await secrets.open(tx, orgId, SECRET_PURPOSE, row.auth_secret);
  if (row.auth_type === 'bearer') headers.authorization = `Bearer ${secret}`;
  else if (row.auth_type === 'header' && row.auth_header_name !== null)
    headers[row.auth_header_name] = secret;
  return headers;
}

/**
 * Whether a change touches how SprintConnect reaches the server: another URL or transport, or credentials given
 * at all (they are write-only, and sending them again is how a refused credential is fixed).
 */
export function connectionChange(
  current: { url: string; transport: string },
  input: UpdateServerInput,
): boolean {
  return (
    (input.url !== undefined && input.url !== current.url) ||
    (input.transport !== undefined && input.transport !== current.transport) ||
    input.auth !== undefined
  );
}
