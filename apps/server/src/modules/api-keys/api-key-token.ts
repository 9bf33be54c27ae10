import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../platform/crypto/index.ts';

/**
 * API key format: `sck_<prefix>_<secret>`. The prefix (12 base32 chars) is public: it is shown in listings and
 * used to find the key; only an HMAC of the whole token is stored. Keys not in this format (a bootstrap key the
 * operator chose) are looked up by a prefix derived from their hash.
 */
const FORMAT = /^sck_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function generateApiKey(): { token: string; prefix: string } {
  const prefix = Array.from(randomBytes(12), (b) => B32[b & 31]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { token: `sck_${prefix}_${secret}`, prefix };
}

/** A key not in the `sck_` format is found by `h` + 15 hex chars of its hash: 16 chars, never a generated 12. */
const HASHED_PREFIX_LENGTH = 16;

export function prefixOf(token: string): string {
  const m = FORMAT.exec(token);
  return m ? m[1]! : `h${sha256Hex(token).slice(0, HASHED_PREFIX_LENGTH - 1)}`;
}

/**
 * Shown in listings: enough to recognise a key, never enough to use it. Told apart by length, not by the leading
 * `h`: one generated prefix in 32 starts with `h` too.
 */
export const displayPrefix = (prefix: string): string =>
  prefix.length === HASHED_PREFIX_LENGTH ? `${prefix}…` : `sck_${prefix}_…`;
