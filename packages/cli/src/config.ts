import { join } from 'node:path';
import { UsageError } from './usage-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The CLI's one read of process.env; everything else gets the snapshot passed in. */
export function readProcessEnv(): Env {
  return { ...process.env };
}

export interface Connection {
  baseUrl: string;
  /** Absent when neither --api-key nor SPRINTCONNECT_API_KEY is given: the stored login is used instead. */
  apiKey: string | undefined;
}

/**
 * Flags win over SPRINTCONNECT_URL / SPRINTCONNECT_API_KEY; the URL then falls back to the server of the stored
 * login (`loggedInUrl`), then to the local `npm start`.
 */
export function resolveConnection(
  flags: { url?: string; apiKey?: string },
  env: Env,
  loggedInUrl?: string,
): Connection {
  const rawUrl = nonEmpty(flags.url) ?? nonEmpty(env['SPRINTCONNECT_URL']) ?? loggedInUrl ?? DEFAULT_URL;
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
  return { baseUrl: url.origin + url.pathname.replace(/\/+$/, ''), apiKey };
}

/**
 * Where the CLI keeps its login (`credentials.json`): SPRINTCONNECT_CONFIG_DIR, else `$XDG_CONFIG_HOME/sprintconnect`,
 * else `~/.config/sprintconnect`. Undefined when none of them can be worked out (no HOME): nothing is stored.
 */
export function configDir(env: Env): string | undefined {
  const explicit = nonEmpty(env['SPRINTCONNECT_CONFIG_DIR']);
  if (explicit !== undefined) return explicit;
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  if (xdg !== undefined) return join(xdg, 'sprintconnect');
  const home = nonEmpty(env['HOME']) ?? nonEmpty(env['USERPROFILE']);
  return home === undefined ? undefined : join(home, '.config', 'sprintconnect');
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
