import type { ManifestDrift } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import { isAppError, keysetPage, readKeyset } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { NO_DRIFT } from './drift.ts';
import { accept, recheck, trustStoreOf } from './manifest-ledger.ts';
import * as repo from './manifests.repo.ts';
import { manifestNotFound, rollbackUnavailable } from './trust.errors.ts';
import { verifyManifest } from './verify-manifest.ts';

/**
 * How the trust module finds a server: the registry hands its own lookup over (trust does not import it), which
 * answers the registry's 404 for a server that is not there.
 */
export type ServerLookup = (tx: Tx, orgId: string, id: string) => Promise<{ url: string }>;

const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

export function versionView(r: repo.ManifestRow) {
  return {
    version: r.version,
    state: r.state,
    source: r.source,
    issuer: r.issuer,
    kid: r.kid,
    alg: r.alg,
    signature: r.signature,
    policyHash: r.policy_hash,
    counts: {
      tools: count(r.payload.tools),
      resources: count(r.payload.resources),
      resourceTemplates: count(r.payload.resourceTemplates),
      prompts: count(r.payload.prompts),
    },
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  };
}

function currentView(r: repo.ManifestRow, state: repo.StateRow | undefined) {
  return {
    ...versionView(r),
    payload: r.payload,
    jws: r.jws,
    status: state?.drift ? ('drifted' as const) : ('verified' as const),
  };
}

export function createManifestService(deps: { db: Db; findServer: ServerLookup }) {
  const { db } = deps;

  async function serverUrl(tx: Tx, orgId: string, id: string): Promise<string> {
    return (await deps.findServer(tx, orgId, id)).url;
  }

  async function requireCurrent(tx: Tx, orgId: string, serverId: string): Promise<repo.ManifestRow> {
    const current = await repo.findCurrent(tx, orgId, serverId);
    if (current === undefined) throw manifestNotFound(serverId);
    return current;
  }

  return {
    /** `PUT /v1/servers/{id}/manifest`: a new version, verified against the org's trust store. */
    async submit(actor: Actor, serverId: string, jws: string) {
      return withTenant(db, actor.orgId, async (tx) => {
        const url = await serverUrl(tx, actor.orgId, serverId);
        const v = await verifyManifest(jws, { findKey: trustStoreOf(tx, actor.orgId), serverUrl: url });
        const row = await accept(tx, actor, serverId, v, 'submission');
        return currentView(row, await repo.readState(tx, actor.orgId, serverId));
      });
    },

    async current(actor: Actor, serverId: string) {
      return withTenant(db, actor.orgId, async (tx) => {
        await serverUrl(tx, actor.orgId, serverId);
        const row = await requireCurrent(tx, actor.orgId, serverId);
        return currentView(row, await repo.readState(tx, actor.orgId, serverId));
      });
    },

    async list(
      actor: Actor,
      serverId: string,
      q: { limit?: number | undefined; cursor?: string | undefined },
    ) {
      const limit = q.limit ?? 50;
      const after = readKeyset(repo.MANIFEST_VERSION_ORDER, q.cursor);
      const rows = await withTenant(db, actor.orgId, async (tx) => {
        await serverUrl(tx, actor.orgId, serverId);
        return repo.listVersions(tx, actor.orgId, serverId, { limit, after });
      });
      const page = keysetPage(repo.MANIFEST_VERSION_ORDER, rows, limit);
      return { items: page.items.map(versionView), nextCursor: page.nextCursor };
    },

    /**
     * Back to the newest earlier version that is still good: not itself rolled back from, and verifying
     * against the trust store as it is now (a version whose key was removed is skipped).
     */
    async rollback(actor: Actor, serverId: string) {
      return withTenant(db, actor.orgId, async (tx) => {
        const orgId = actor.orgId;
        const url = await serverUrl(tx, orgId, serverId);
        const state = await repo.lockState(tx, orgId, serverId);
        const current = await requireCurrent(tx, orgId, serverId);
        const skipped: { version: number; code: string }[] = [];
        let to: repo.ManifestRow | undefined;
        for (const c of await repo.rollbackCandidates(tx, orgId, serverId, current.version)) {
          try {
            await verifyManifest(c.jws, { findKey: trustStoreOf(tx, orgId), serverUrl: url });
            to = c;
            break;
          } catch (e) {
            if (!isAppError(e)) throw e;
            skipped.push({ version: c.version, code: e.code });
          }
        }
        if (to === undefined) throw rollbackUnavailable(serverId, current.version);
        // In this order: the partial unique index allows one current version at a time.
        await repo.setState(tx, orgId, current.id, 'rolled_back');
        await repo.setState(tx, orgId, to.id, 'current');
        const now = { ...to, state: 'current' as const };
        await recordChange(tx, actor, {
          action: 'server.manifest_rolled_back',
          target: { type: 'server', id: serverId },
          data: { from: current.version, to: to.version, policyHash: to.policy_hash, skipped },
        });
        await recheck(tx, actor, state, now);
        return currentView(now, await repo.readState(tx, orgId, serverId));
      });
    },

    async drift(actor: Actor, serverId: string): Promise<ManifestDrift> {
      return withTenant(db, actor.orgId, async (tx) => {
        await serverUrl(tx, actor.orgId, serverId);
        const current = await requireCurrent(tx, actor.orgId, serverId);
        const state = await repo.readState(tx, actor.orgId, serverId);
        const checked = state?.checked_at ?? null;
        return {
          status: state?.drift ? 'drifted' : 'verified',
          manifestVersion: current.version,
          capabilityVersion: checked === null ? null : (state?.observed_version ?? null),
          checkedAt: checked?.toISOString() ?? null,
          driftedSince: state?.drifted_since?.toISOString() ?? null,
          ...(state?.drift ?? NO_DRIFT),
        };
      });
    },
  };
}

export type ManifestService = ReturnType<typeof createManifestService>;
