import type { TrustKeyInput, TrustSettings } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { isUniqueViolation, withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { readPublicJwk } from './public-jwk.ts';
import { keyNotFound, kidTaken } from './trust.errors.ts';
import * as repo from './trust-store.repo.ts';

function keyView(r: repo.TrustKeyRow) {
  return {
    id: r.id,
    issuer: r.issuer,
    kid: r.kid,
    alg: r.alg,
    jwk: r.public_jwk,
    thumbprint: r.thumbprint,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  };
}

/** Story 8.4: the public keys an org trusts to sign capability manifests, and whether it requires them. */
export function createTrustStore(deps: { db: Db }) {
  const { db } = deps;
  return {
    async addKey(actor: Actor, input: TrustKeyInput) {
      // Validated before the transaction: a refused (e.g. private) key never reaches the database.
      const key = await readPublicJwk(input.jwk as Record<string, unknown>);
      const issuer = input.issuer.trim();
      try {
        return await withTenant(db, actor.orgId, async (tx) => {
          if ((await repo.findKeyByKid(tx, actor.orgId, key.kid)) !== undefined) throw kidTaken(key.kid);
          const row = await repo.insertKey(tx, actor.orgId, {
            id: uuidv7(),
            kid: key.kid,
            issuer,
            alg: key.alg,
            public_jwk: key.jwk,
            thumbprint: key.thumbprint,
            created_by: `${actor.type}:${actor.id}`,
          });
          await recordChange(tx, actor, {
            action: 'trust.key_added',
            target: { type: 'trust_key', id: row.id },
            data: { kid: row.kid, issuer, alg: row.alg, thumbprint: row.thumbprint },
          });
          return keyView(row);
        });
      } catch (e) {
        if (isUniqueViolation(e, 'trust_keys_kid_per_org')) throw kidTaken(key.kid);
        throw e;
      }
    },

    async listKeys(actor: Actor) {
      const rows = await withTenant(db, actor.orgId, (tx) => repo.listKeys(tx, actor.orgId));
      return rows.map(keyView);
    },

    /** Manifests it signed stay stored; a rollback no longer returns to them and new ones are refused. */
    async removeKey(actor: Actor, id: string): Promise<void> {
      await withTenant(db, actor.orgId, async (tx) => {
        const row = await repo.deleteKey(tx, actor.orgId, id);
        if (row === undefined) throw keyNotFound(id);
        await recordChange(tx, actor, {
          action: 'trust.key_removed',
          target: { type: 'trust_key', id },
          data: { kid: row.kid, issuer: row.issuer, thumbprint: row.thumbprint },
        });
      });
    },

    async settings(actor: Actor): Promise<TrustSettings> {
      const require = await withTenant(db, actor.orgId, (tx) => repo.readRequireSigned(tx, actor.orgId));
      return { requireSignedManifests: require };
    },

    async setSettings(actor: Actor, input: TrustSettings): Promise<TrustSettings> {
      return withTenant(db, actor.orgId, async (tx) => {
        const before = await repo.readRequireSigned(tx, actor.orgId);
        await repo.writeRequireSigned(
          tx,
          actor.orgId,
          input.requireSignedManifests,
          `${actor.type}:${actor.id}`,
        );
        await recordChange(tx, actor, {
          action: 'trust.settings_changed',
          target: { type: 'org', id: actor.orgId },
          data: { requireSignedManifests: input.requireSignedManifests, previous: before },
        });
        return { requireSignedManifests: input.requireSignedManifests };
      });
    },
  };
}

export type TrustStore = ReturnType<typeof createTrustStore>;
