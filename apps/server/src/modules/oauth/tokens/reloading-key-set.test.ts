import { generateKeyPairSync } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createReloadingKeySet } from './reloading-key-set.ts';

const jwkOf = (kid: string): JWK => ({
  ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK),
  kid,
  alg: 'ES256',
});

describe('createReloadingKeySet', () => {
  it('reloads once for an unknown kid, then at most once per cooldown', async () => {
    let t = 0;
    let loads = 0;
    let set: JSONWebKeySet = { keys: [jwkOf('a')] };
    const keys = createReloadingKeySet(
      async () => {
        loads++;
        return set;
      },
      { cooldownMs: 1000, now: () => t },
    );
    await keys.getKey({ alg: 'ES256', kid: 'a' }, {} as never);
    expect(loads).toBe(1);

    set = { keys: [jwkOf('a'), jwkOf('b')] };
    await keys.getKey({ alg: 'ES256', kid: 'b' }, {} as never);
    expect(loads).toBe(2);

    await expect(keys.getKey({ alg: 'ES256', kid: 'zzz' }, {} as never)).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    await expect(keys.getKey({ alg: 'ES256', kid: 'zzz' }, {} as never)).rejects.toBeDefined();
    expect(loads).toBe(2);
    t = 1500;
    await expect(keys.getKey({ alg: 'ES256', kid: 'zzz' }, {} as never)).rejects.toBeDefined();
    expect(loads).toBe(3);
  });
});
