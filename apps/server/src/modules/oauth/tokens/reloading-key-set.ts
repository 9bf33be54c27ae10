import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface ReloadingKeySet {
  readonly getKey: JWTVerifyGetKey;
  /** Load now (after this process rotated keys). */
  reload(): Promise<void>;
}

/**
 * Our own public keys, held in memory so verifying a token costs no database round trip. An unknown kid (a key
 * another process has just rotated in) triggers one reload, at most once per cooldown, so a flood of made-up
 * kids cannot turn into a flood of queries.
 */
export function createReloadingKeySet(
  load: () => Promise<JSONWebKeySet>,
  opts: { cooldownMs: number; now?: () => number },
): ReloadingKeySet {
  const now = opts.now ?? Date.now;
  let current: ReturnType<typeof createLocalJWKSet> | undefined;
  let missReloadAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    inflight ??= load()
      .then((jwks) => {
        current = createLocalJWKSet(jwks);
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (current === undefined) await reload();
    try {
      return await current!(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || now() - missReloadAt < opts.cooldownMs) throw e;
      missReloadAt = now();
      await reload();
      return current!(header, token);
    }
  };
  return { getKey, reload };
}
