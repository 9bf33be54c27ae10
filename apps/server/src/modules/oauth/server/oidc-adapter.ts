import { createHash } from 'node:crypto';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { Clock } from '../../../kernel/index.ts';
import { open, seal } from '../../../platform/crypto/index.ts';
import type { Db } from '../../../platform/db/index.ts';
import {
  consumeModel,
  destroyGrant,
  destroyModel,
  findModel,
  findModelByUid,
  type OidcModelRow,
  upsertModel,
} from './oidc-models.repo.ts';

const sha256 = (id: string) => createHash('sha256').update(id, 'utf8').digest();

/**
 * Payload fields that are bearer secrets, kept sealed: a client's secret, and the session cookie value an
 * interaction remembers. (A session's own id is its cookie value too; it is sealed as `jti`.)
 */
const SEALED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Client: ['client_secret'],
  Interaction: ['session'],
};

/**
 * oidc-provider's storage in Postgres (one table, `oidc_models`). Ids of tokens, codes and sessions are bearer
 * secrets, so rows are keyed by their SHA-256 and payloads are stored without `jti`; what must come back in
 * clear (a client's secret, a session's id found by uid, an interaction's session cookie) is sealed with the
 * `oauth-storage` key.
 */
export function createOidcAdapterFactory(deps: { db: Db; storageKey: Buffer; clock: Clock }) {
  const { db, storageKey, clock } = deps;

  return (model: string): Adapter => {
    const aad = (idHash: Buffer) => `oidc:${model}:${idHash.toString('base64url')}`;

    function revive(row: OidcModelRow | undefined, idHash: Buffer, id: string | undefined) {
      if (row === undefined) return undefined;
      const payload: AdapterPayload = { ...row.payload };
      if (row.sealed_secret !== null) {
        Object.assign(payload, JSON.parse(open(storageKey, row.sealed_secret, aad(idHash)).toString('utf8')));
      }
      if (id !== undefined && model !== 'Client') payload.jti = id;
      if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at.getTime() / 1000);
      return payload;
    }

    return {
      async upsert(id, payload, expiresIn) {
        const idHash = sha256(id);
        const { jti: _jti, ...rest } = payload;
        const secret: Record<string, unknown> = model === 'Session' ? { jti: id } : {};
        for (const field of SEALED_FIELDS[model] ?? []) {
          if (rest[field] !== undefined) secret[field] = rest[field];
          delete rest[field];
        }
        const sealed =
          Object.keys(secret).length === 0
            ? null
            : seal(storageKey, Buffer.from(JSON.stringify(secret), 'utf8'), aad(idHash));
        await upsertModel(db, {
          model,
          idHash,
          payload: rest,
          sealedSecret: sealed,
          grantId: typeof payload.grantId === 'string' ? payload.grantId : model === 'Grant' ? id : null,
          uid: typeof payload.uid === 'string' ? payload.uid : null,
          expiresAt:
            typeof expiresIn === 'number' ? new Date(clock.now().getTime() + expiresIn * 1000) : null,
        });
      },
      async find(id) {
        const idHash = sha256(id);
        return revive(await findModel(db, model, idHash, clock.now()), idHash, id);
      },
      async findByUid(uid) {
        const row = await findModelByUid(db, model, uid, clock.now());
        // A session's id (the cookie value) comes back from the sealed part.
        return revive(row, row?.id_hash ?? Buffer.alloc(0), undefined);
      },
      async findByUserCode() {
        return undefined; // the device flow is not enabled
      },
      async consume(id) {
        // oidc-provider checks `consumed` and then consumes: two requests racing with one authorization code
        // would both pass the check, so the UPDATE decides and the loser is refused.
        if (!(await consumeModel(db, model, sha256(id), clock.now()))) {
          throw new errors.InvalidGrant(`${model} already consumed`);
        }
      },
      async destroy(id) {
        await destroyModel(db, model, sha256(id));
      },
      async revokeByGrantId(grantId) {
        await destroyGrant(db, grantId);
      },
    };
  };
}
