import type { StoredLogin } from './credentials.ts';
import { saveLogin } from './credentials.ts';
import { configFromLogin, isInvalidGrant, refresh, toStoredLogin } from './oauth.ts';

/** Refresh this long before the access token's expiry, so a request never leaves with a token about to lapse. */
const SKEW_MS = 30_000;

/**
 * The current access token of a stored login: the stored one while it is fresh, else a refreshed one (saved
 * back, since the server rotates refresh tokens). Concurrent callers share one refresh.
 */
export function storedSession(o: {
  dir: string;
  login: StoredLogin;
  fetch?: typeof fetch;
  now?: () => number;
}): () => Promise<string> {
  const now = o.now ?? Date.now;
  let current = o.login;
  let inFlight: Promise<string> | undefined;
  const renew = async (): Promise<string> => {
    if (current.refreshToken === undefined) {
      throw new Error('your login has expired; run `sprintconnect login` again');
    }
    let tokens: Awaited<ReturnType<typeof refresh>>;
    try {
      tokens = await refresh(current, o.fetch);
    } catch (e) {
      if (isInvalidGrant(e)) {
        throw new Error('your login has expired or was revoked; run `sprintconnect login` again');
      }
      throw e;
    }
    const config = configFromLogin(current, o.fetch);
    current = toStoredLogin(current.server, config, current.resource, tokens, now(), current.refreshToken);
    saveLogin(o.dir, current);
    return current.accessToken;
  };
  return async () => {
    if (Date.parse(current.expiresAt) - SKEW_MS > now()) return current.accessToken;
    inFlight ??= renew().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
