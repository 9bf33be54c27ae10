import { hash, verify } from '@node-rs/argon2';

/**
 * Human passwords: Argon2id (RFC 9106) with OWASP's minimum profile (19 MiB, t=2, p=1), the library default
 * algorithm. The parameters live in the PHC string, so raising them later still verifies old hashes.
 */
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, PARAMS);

/**
 * A throwaway hash with the same parameters as every stored one (of a string nobody's password is checked
 * against): verifying against it costs what a real check costs. A constant, so no module holds state for it.
 */
const TIMING_EQUALIZER =
  '$argon2id$v=19$m=19456,t=2,p=1$gLkM138AMGzA9RE4yV3OXg$LaBmLhbMBBBS/yIVcvFS/oL0wFo3S3Jh2oyD8kl9b2U';

/**
 * Verifies `password` against `stored`; with no stored hash (unknown email, SSO-only account) it verifies
 * against a throwaway hash anyway, so the response time does not tell which accounts exist.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (stored === null || stored === undefined) {
    await verify(TIMING_EQUALIZER, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
