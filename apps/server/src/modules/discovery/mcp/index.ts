/**
 * MCP capability discovery client: pure of the database, reaches the network only through the fetch the
 * caller passes in. The discovery module's services persist and version what it returns.
 */
export { canonicalJson, hashedView, snapshotHash, toolDefinitionHash } from './canonical.ts';
export type { ClassifyContext, WireObservation } from './classify.ts';
export { classifyDiscoveryError } from './classify.ts';
export {
  DEFAULT_DISCOVERY_TIMEOUTS,
  DISCOVERY_CLIENT_CAPABILITIES,
  DISCOVERY_CLIENT_INFO,
} from './client-identity.ts';
export type { KindDiff, ModifiedItem, SnapshotDiff } from './diff.ts';
export { diffSnapshots, hasChanges, ITEM_KEYS } from './diff.ts';
export { discoverServer } from './discover.ts';
export { guidanceFor } from './guidance.ts';
export type {
  CapabilitySnapshot,
  DiscoverInput,
  DiscoveryFailure,
  DiscoveryFailureCode,
  DiscoveryProgress,
  DiscoveryResult,
  DiscoveryStage,
  DiscoveryTimeouts,
  DiscoveryTransport,
  JsonObject,
  PromptItem,
  ResourceItem,
  ResourceTemplateItem,
  ToolItem,
} from './types.ts';
