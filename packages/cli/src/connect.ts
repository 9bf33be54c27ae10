import type { SprintConnectClient } from '@sprintconnect/sdk';
import { createClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { StoredLogin } from './auth/credentials.ts';
import { readLogin } from './auth/credentials.ts';
import { storedSession } from './auth/session.ts';
import type { Connection, Env } from './config.ts';
import { configDir, resolveConnection } from './config.ts';
import { UsageError } from './usage-error.ts';

export interface RootFlags {
  url?: string;
  apiKey?: string;
}

/** The root command's own options (not optsWithGlobals(): a subcommand's --url must not shadow ours). */
export function rootFlags(cmd: Command): RootFlags {
  let root = cmd;
  while (root.parent !== null) root = root.parent;
  return root.opts<RootFlags>();
}

/** The server to talk to and the stored login (if any), for commands that use the login itself. */
export function loginTarget(
  flags: RootFlags,
  env: Env,
): { server: string; dir: string; stored?: StoredLogin } {
  const dir = configDir(env);
  if (dir === undefined) {
    throw new UsageError('nowhere to keep the login: set SPRINTCONNECT_CONFIG_DIR (or HOME)');
  }
  const stored = readLogin(dir);
  const server = resolveConnection({ url: flags.url }, env, stored?.server).baseUrl;
  return stored === undefined ? { server, dir } : { server, dir, stored };
}

/**
 * A client for the chosen server: with the API key when one is given (flag or environment), else with the
 * access token of `sprintconnect login`, refreshed when it has expired.
 */
export function connect(flags: RootFlags, env: Env, fetchImpl?: typeof fetch): SprintConnectClient {
  const withFetch = (c: Connection & { apiKey: string }) =>
    createClient(fetchImpl === undefined ? c : { ...c, fetch: fetchImpl });
  const conn = resolveConnection(flags, env);
  if (conn.apiKey !== undefined) return withFetch({ ...conn, apiKey: conn.apiKey });
  const dir = configDir(env);
  const stored = dir === undefined ? undefined : readLogin(dir);
  if (dir === undefined || stored === undefined) {
    throw new UsageError(
      'no API key: set SPRINTCONNECT_API_KEY or pass --api-key, or run `sprintconnect login`',
    );
  }
  const { baseUrl } = resolveConnection(flags, env, stored.server);
  if (baseUrl !== stored.server) {
    throw new UsageError(
      `no API key, and the stored login is for ${stored.server}, not ${baseUrl}: run \`sprintconnect --url ${baseUrl} login\` or set SPRINTCONNECT_API_KEY`,
    );
  }
  const accessToken = storedSession({
    dir,
    login: stored,
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  return createClient({ baseUrl, accessToken, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) });
}
