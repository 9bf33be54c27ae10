import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `sprintconnect login` keeps: the tokens and where to refresh and revoke them. Secrets: file mode 0600. */
export interface StoredLogin {
  readonly version: 1;
  /** The SprintConnect base URL the login is for. */
  readonly server: string;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly revocationEndpoint: string | undefined;
  /** The resource indicator the tokens are for (`<server>/v1`). */
  readonly resource: string;
  readonly clientId: string;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  /** When the access token expires (ISO 8601). */
  readonly expiresAt: string;
}

export const credentialsPath = (dir: string): string => join(dir, 'credentials.json');

/** The stored login, or undefined when there is none. A file we cannot make sense of is an error. */
export function readLogin(dir: string): StoredLogin | undefined {
  const path = credentialsPath(dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isStoredLogin(parsed)) {
    throw new Error(`${path} is not a SprintConnect login; delete it or run \`sprintconnect login\` again`);
  }
  return parsed;
}

/** Writes the login atomically (temp file + rename), readable by its owner only. */
export function saveLogin(dir: string, login: StoredLogin): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  renameSync(tmp, path);
}

export function deleteLogin(dir: string): void {
  rmSync(credentialsPath(dir), { force: true });
}

function isStoredLogin(v: unknown): v is StoredLogin {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string' && o[k] !== '';
  const optStr = (k: string) => o[k] === undefined || typeof o[k] === 'string';
  return (
    o['version'] === 1 &&
    ['server', 'issuer', 'tokenEndpoint', 'resource', 'clientId', 'accessToken', 'expiresAt'].every(str) &&
    optStr('revocationEndpoint') &&
    optStr('refreshToken') &&
    !Number.isNaN(Date.parse(o['expiresAt'] as string))
  );
}
