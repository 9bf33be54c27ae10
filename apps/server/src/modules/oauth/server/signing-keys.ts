import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import type { Clock } from '../../../kernel/index.ts';
import { open, seal } from '../../../platform/crypto/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import { installKeys, keySetVersion, listPublishedKeys, retireKey } from './signing-keys.repo.ts';

/** ES256 signs access tokens (small, fast); RS256 is the OpenID Connect default for ID tokens. */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;

export interface SigningKeys {
  /** First start: make the keys that are missing (idempotent, safe with N processes starting at once). */
  ensure(): Promise<void>;
  /** A new key per algorithm becomes active; the previous one keeps verifying (published) until retired. */
  rotate(): Promise<string[]>;
  /** Removes a rotated-out key from the published set; tokens signed with it stop verifying. */
  retire(kid: string): Promise<boolean>;
  /** For oidc-provider: private JWKs, the active key of each algorithm first (it signs), then retiring ones. */
  privateJwks(): Promise<JWK[]>;
  /** For verifiers and `/oidc/jwks`: the public halves of every published key. */
  publicJwks(): Promise<JSONWebKeySet>;
  /** Changes whenever a key is added, rotated or retired (other processes poll it). */
  version(): Promise<string>;
}

const aad = (kid: string) => `oauth-signing-key:${kid}`;

async function makeKey(alg: string, sealKey: Buffer) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  const meta = { kid, alg, use: 'sig' };
  const priv = { ...(await exportJWK(privateKey)), ...meta };
  return {
    kid,
    publicJwk: { ...pub, ...meta },
    privateJwk: seal(sealKey, Buffer.from(JSON.stringify(priv), 'utf8'), aad(kid)),
  };
}

/**
 * Token signing keys kept in Postgres, private halves sealed (AES-256-GCM) under a key derived from the master
 * key (`oauth-signing-keys`), so every process signs with the same keys and a restart changes nothing.
 */
export function createSigningKeys(deps: { db: Db; sealKey: Buffer; clock: Clock }): SigningKeys {
  const { db, sealKey, clock } = deps;
  const make = (alg: string) => makeKey(alg, sealKey);
  return {
    async ensure() {
      await installKeys(db, (active) => SIGNING_ALGS.filter((a) => !active.includes(a)), make, clock.now());
    },
    rotate: () => installKeys(db, () => [...SIGNING_ALGS], make, clock.now()),
    retire: (kid) => retireKey(db, kid, clock.now()),
    async privateJwks() {
      const rows = await listPublishedKeys(db);
      return rows.map((r) => JSON.parse(open(sealKey, r.private_jwk, aad(r.kid)).toString('utf8')) as JWK);
    },
    async publicJwks() {
      const rows = await listPublishedKeys(db);
      return { keys: rows.map((r) => r.public_jwk as JWK) };
    },
    version: () => keySetVersion(db),
  };
}
