import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../kernel/index.ts';
import { open, seal } from '../../platform/crypto/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { findActiveDataKey, findDataKey, insertDataKey } from './data-keys.repo.ts';

/**
 * Envelope encryption (ARCHITECTURE: secrets): each org has data keys, each wrapped by the key-wrapping key
 * derived from the master key. A sealed secret is `keyId(16 bytes) | AES-GCM blob`, bound by AAD to its org,
 * key and purpose, so rotating the master key rewraps a few data keys, not every secret.
 */
export interface Secrets {
  seal(tx: Tx, orgId: string, purpose: string, plaintext: string): Promise<Buffer>;
  open(tx: Tx, orgId: string, purpose: string, sealed: Buffer): Promise<string>;
}

const uuidToBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const bytesToUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function createSecrets(wrappingKey: Buffer): Secrets {
  const unwrap = (orgId: string, keyId: string, wrapped: Buffer) =>
    open(wrappingKey, wrapped, `dek:${orgId}:${keyId}`);

  async function activeKey(tx: Tx, orgId: string): Promise<{ id: string; key: Buffer }> {
    const row = await findActiveDataKey(tx, orgId);
    if (row !== undefined) return { id: row.id, key: unwrap(orgId, row.id, row.wrapped_key) };
    const id = uuidv7();
    const key = randomBytes(32);
    await insertDataKey(tx, { orgId, id, wrappedKey: seal(wrappingKey, key, `dek:${orgId}:${id}`) });
    return { id, key };
  }

  return {
    async seal(tx, orgId, purpose, plaintext) {
      const { id, key } = await activeKey(tx, orgId);
      return Buffer.concat([
        uuidToBytes(id),
        seal(key, Buffer.from(plaintext, 'utf8'), `${orgId}:${id}:${purpose}`),
      ]);
    },
    async open(tx, orgId, purpose, sealed) {
      const id = bytesToUuid(sealed.subarray(0, 16));
      const row = await findDataKey(tx, orgId, id);
      if (row === undefined) throw new Error('data key for this secret is missing');
      const key = unwrap(orgId, id, row.wrapped_key);
      return open(key, sealed.subarray(16), `${orgId}:${id}:${purpose}`).toString('utf8');
    },
  };
}
