import type { Clock } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { capabilityVersions, type RegistryService } from '../registry/index.ts';
import { observeCapabilities } from '../trust/index.ts';
import type { CapabilitySnapshot } from './mcp/index.ts';
import { snapshotHash } from './mcp/index.ts';
import { countsOf, toIndexItems } from './snapshot-items.ts';

/** The search module's indexer (`SearchModule.index`): replaces a server's rows in the search index. */
export type CapabilityIndexer = (
  tx: Tx,
  args: {
    orgId: string;
    serverId: string;
    versionId: string;
    version: number;
    items: ReturnType<typeof toIndexItems>;
  },
) => Promise<void>;

/**
 * Another module's reaction to a new capability version, in the transaction that stores it (so its events
 * commit with the version or not at all): virtual servers check their pinned tools for drift (ADR 0044).
 * Called only when the content changed, never for an unchanged rediscovery.
 */
export type CapabilityObserver = (
  tx: Tx,
  stored: { orgId: string; serverId: string; version: number; snapshot: CapabilitySnapshot },
) => Promise<void>;

/**
 * Stores what a successful discovery found, in the transaction that marks its job succeeded: a new capability
 * version only when the content changed (ADR 0004), the search index when it changed or `force` asked for it,
 * the server's state, the audit event, and the manifest drift check (ADR 0015). Returns the job's result.
 */
export async function storeSnapshot(
  tx: Tx,
  deps: {
    registry: RegistryService;
    index: CapabilityIndexer;
    clock: Clock;
    observers?: readonly CapabilityObserver[] | undefined;
  },
  job: { orgId: string; jobId: string; serverId: string; force: boolean },
  snapshot: CapabilitySnapshot,
): Promise<Record<string, unknown>> {
  const hash = snapshotHash(snapshot);
  const now = deps.clock.now();
  const prev = await capabilityVersions.latestVersion(tx, job.orgId, job.serverId);
  const changed = prev === undefined || prev.content_hash !== hash;
  let versionId = prev?.id;
  let version = prev?.version ?? 0;
  if (changed) {
    versionId = uuidv7(now.getTime());
    version += 1;
    await capabilityVersions.insertVersion(tx, {
      orgId: job.orgId,
      id: versionId,
      serverId: job.serverId,
      version,
      contentHash: hash,
      protocolVersion: snapshot.protocolVersion,
      snapshot,
      counts: countsOf(snapshot),
      discoveredAt: now,
    });
  }
  if (changed || job.force) {
    await deps.index(tx, {
      orgId: job.orgId,
      serverId: job.serverId,
      versionId: versionId!,
      version,
      items: toIndexItems(snapshot),
    });
  }
  await deps.registry.setDiscoveryState(tx, job.orgId, job.serverId, {
    status: 'active',
    lastError: null,
    currentVersionId: versionId!,
    discoveredAt: now,
  });
  const system = { type: 'system', id: 'discovery', orgId: job.orgId } as const;
  await recordChange(tx, system, {
    action: changed ? 'capabilities.changed' : 'discovery.succeeded',
    target: { type: 'server', id: job.serverId },
    data: { jobId: job.jobId, version, previousVersion: prev?.version ?? null },
  });
  // Signed manifests (ADR 0015): live capabilities that differ from the manifest mark the server drifted.
  await observeCapabilities(tx, system, {
    serverId: job.serverId,
    capabilityVersion: version,
    contentHash: hash,
    live: snapshot,
  });
  if (changed) {
    for (const observe of deps.observers ?? [])
      await observe(tx, { orgId: job.orgId, serverId: job.serverId, version, snapshot });
  }
  return {
    version,
    versionId: versionId!,
    changed,
    contentHash: hash,
    counts: countsOf(snapshot),
    protocolVersion: snapshot.protocolVersion,
  };
}
