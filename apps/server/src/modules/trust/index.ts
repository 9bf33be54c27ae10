export type { CapabilityLists, Drift, KindDrift } from './drift.ts';
export { canonicalize, policyHash } from './jcs.ts';
export {
  admitManifest,
  manifestSummaries,
  manifestSummary,
  NO_MANIFEST,
  observeCapabilities,
} from './manifest-ledger.ts';
export { manifestRoutes } from './manifests.routes.ts';
export type { ManifestService, ServerLookup } from './manifests.service.ts';
export { createManifestService } from './manifests.service.ts';
export { trustStoreRoutes } from './trust-store.routes.ts';
export type { TrustStore } from './trust-store.service.ts';
export { createTrustStore } from './trust-store.service.ts';
