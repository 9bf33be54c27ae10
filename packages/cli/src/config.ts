import { UsageError } from './usage-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The CLI's one read of process.env; everything else gets the snapshot passed in. */
export function readProcessEnv(): Env {
  return { ...process.env };
}

export interface Connection {
  baseUrl: string;
  apiKey: string;
}

/** Flags win over SPRINTCONNECT_URL / SPRINTCONNECT_API_KEY; the URL defaults to the local `npm start`. */
export function resolveConnection(flags: { url?: string; apiKey?: string }, env: Env): Connection {
  const rawUrl = nonEmpty(flags.url) ?? nonEmpty(env['SPRINTCONNECT_URL']) ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`the SprintConnect URL "${rawUrl}" is not an absolute URL (e.g. ${DEFAULT_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`the SprintConnect URL must be http:// or https:// (got "${rawUrl}")`);
  }
  const apiKey = nonEmpty(flags.apiKey) ?? nonEmpty(env['SPRINTCONNECT_API_KEY']);
  if (apiKey === undefined) {
    throw new UsageError('no API key: set SPRINTCONNECT_API_KEY or pass --api-key');
  }
  return { baseUrl: url.origin + url.pathname.replace(/\/+$/, ''), apiKey };
}

/** A secret named by a flag (e.g. --bearer-token-env), so the value never lands in shell history. */
export function secretFromEnv(env: Env, name: string, flag: string): string {
  const value = nonEmpty(env[name]);
  if (value === undefined)
    throw new UsageError(`${flag} names ${name}, but that environment variable is empty or unset`);
  return value;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
