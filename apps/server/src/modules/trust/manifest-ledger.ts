/**
 * The transaction-level operations on a server's manifests, for this module's service and for the modules
 * that call in through index.ts: the registry (a manifest at registration, the summary on each server view)
 * and discovery (each capability snapshot it stores is compared with the current manifest).
 */
import type { ManifestSummary } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { type CapabilityLists, driftBetween, hasDrift, type JsonObject, jsonEqual } from './drift.ts';
import * as repo from './manifests.repo.ts';
import { manifestRequired } from './trust.errors.ts';
import { findKeyByKid, readRequireSigned } from './trust-store.repo.ts';
import { type TrustedKey, type VerifiedManifest, verifyManifest } from './verify-manifest.ts';

/** The org's trust store as the verifier sees it: its own keys only (RLS and the org filter both hold). */
export const trustStoreOf =
  (tx: Tx, orgId: string) =>
  async (kid: string): Promise<TrustedKey | undefined> => {
    const row = await findKeyByKid(tx, orgId, kid);
    return row && { kid: row.kid, issuer: row.issuer, alg: row.alg, jwk: row.public_jwk };
  };

const target = (serverId: string) => ({ type: 'server', id: serverId });

/** Compares the current manifest with what was last observed, stores the result, and announces a change. */
export async function recheck(
  tx: Tx,
  actor: Actor,
  state: repo.StateRow,
  current: repo.ManifestRow,
): Promise<void> {
  const orgId = actor.orgId;
  const was = state.drift;
  if (state.observed === null) {
    await repo.saveCheck(tx, orgId, current.server_id, { drift: null, driftedSince: null, checked: false });
  } else {
    const d = driftBetween(
      current.payload as unknown as CapabilityLists,
      state.observed as unknown as CapabilityLists,
    );
    const now = hasDrift(d) ? d : null;
    const since = now === null ? null : was === null ? new Date() : state.drifted_since;
    await repo.saveCheck(tx, orgId, current.server_id, { drift: now, driftedSince: since, checked: true });
    const about = {
      manifestVersion: current.version,
      capabilityVersion: state.observed_version,
      policyHash: current.policy_hash,
    };
    if (now !== null && !jsonEqual(now, was)) {
      await recordChange(tx, actor, {
        action: 'server.manifest_drifted',
        target: target(current.server_id),
        data: { ...about, drift: now },
      });
      return;
    }
    if (now !== null || was === null) return;
  }
  if (was !== null) {
    await recordChange(tx, actor, {
      action: 'server.manifest_drift_cleared',
      target: target(current.server_id),
      data: { manifestVersion: current.version, capabilityVersion: state.observed_version },
    });
  }
}

/** Makes a verified manifest the server's current version (the previous one becomes `superseded`). */
export async function accept(
  tx: Tx,
  actor: Actor,
  serverId: string,
  v: VerifiedManifest,
  source: repo.ManifestRow['source'],
): Promise<repo.ManifestRow> {
  const orgId = actor.orgId;
  const state = await repo.lockState(tx, orgId, serverId);
  const previous = await repo.findCurrent(tx, orgId, serverId);
  if (previous !== undefined) await repo.setState(tx, orgId, previous.id, 'superseded');
  const row: repo.ManifestRow = {
    id: uuidv7(),
    server_id: serverId,
    version: await repo.nextVersion(tx, orgId, serverId),
    state: 'current',
    source,
    issuer: v.issuer,
    kid: v.kid,
    alg: v.alg,
    signature: v.signature,
    jws: v.jws,
    payload: v.payload as unknown as JsonObject,
    policy_hash: v.policyHash,
    created_by: `${actor.type}:${actor.id}`,
    created_at: new Date(),
  };
  await repo.insertManifest(tx, orgId, row);
  await recordChange(tx, actor, {
    action: 'server.manifest_accepted',
    target: target(serverId),
    data: {
      version: row.version,
      previousVersion: previous?.version ?? null,
      issuer: row.issuer,
      kid: row.kid,
      alg: row.alg,
      policyHash: row.policy_hash,
      source,
    },
  });
  await recheck(tx, actor, state, row);
  return row;
}

/**
 * At registration, inside the registry's transaction (after the server row exists): verifies and stores the
 * manifest, or refuses a missing one when the org requires signed manifests. A refusal throws, so the whole
 * registration rolls back and changes nothing.
 */
export async function admitManifest(
  tx: Tx,
  actor: Actor,
  a: { serverId: string; serverUrl: string; manifest: string | undefined },
): Promise<void> {
  if (a.manifest === undefined) {
    if (await readRequireSigned(tx, actor.orgId)) throw manifestRequired();
    return;
  }
  const v = await verifyManifest(a.manifest, {
    findKey: trustStoreOf(tx, actor.orgId),
    serverUrl: a.serverUrl,
  });
  await accept(tx, actor, a.serverId, v, 'registration');
}

/**
 * After discovery stored a capability snapshot, in its transaction: keeps what was seen (rewritten only when
 * its content hash changed) and compares it with the current manifest, marking the server drifted or clear.
 */
export async function observeCapabilities(
  tx: Tx,
  actor: Actor,
  o: { serverId: string; capabilityVersion: number; contentHash: string; live: CapabilityLists },
): Promise<void> {
  const orgId = actor.orgId;
  const state = await repo.lockState(tx, orgId, o.serverId);
  const fresh = state.observed_hash !== o.contentHash || state.observed === null;
  const observed: JsonObject = fresh
    ? {
        tools: o.live.tools,
        resources: o.live.resources,
        resourceTemplates: o.live.resourceTemplates ?? [],
        prompts: o.live.prompts,
      }
    : state.observed!;
  await repo.saveObserved(tx, orgId, o.serverId, {
    ...(fresh && { observed }),
    hash: o.contentHash,
    version: o.capabilityVersion,
  });
  const current = await repo.findCurrent(tx, orgId, o.serverId);
  if (current === undefined) return;
  await recheck(tx, actor, { ...state, observed, observed_version: o.capabilityVersion }, current);
}

export const NO_MANIFEST: ManifestSummary = Object.freeze({
  status: 'none',
  version: null,
  issuer: null,
  kid: null,
  policyHash: null,
  checkedAt: null,
  driftedSince: null,
});

/** The `manifest` member of each server's view. */
export async function manifestSummaries(
  tx: Tx,
  orgId: string,
  serverIds: readonly string[],
): Promise<Map<string, ManifestSummary>> {
  const rows = await repo.summaries(tx, orgId, serverIds);
  const out = new Map<string, ManifestSummary>(serverIds.map((id) => [id, NO_MANIFEST]));
  for (const r of rows) {
    out.set(r.server_id, {
      status: r.drift === null ? 'verified' : 'drifted',
      version: r.version,
      issuer: r.issuer,
      kid: r.kid,
      policyHash: r.policy_hash,
      checkedAt: r.checked_at?.toISOString() ?? null,
      driftedSince: r.drifted_since?.toISOString() ?? null,
    });
  }
  return out;
}

export async function manifestSummary(tx: Tx, orgId: string, serverId: string): Promise<ManifestSummary> {
  return (await manifestSummaries(tx, orgId, [serverId])).get(serverId)!;
}
