export type { CapabilitiesService } from './capabilities.service.ts';
export { createCapabilitiesService } from './capabilities.service.ts';
export { discoveryRoutes } from './discovery.routes.ts';
export type { DiscoveryQuota, DiscoveryService } from './discovery.service.ts';
export { createDiscoveryService } from './discovery.service.ts';
export { DISCOVERY_KIND, DISCOVERY_MAX_ATTEMPTS, DISCOVERY_QUEUE } from './discovery-job.ts';
export type { CapabilityIndexer } from './discovery-store.ts';
export type { DiscoveryFailureLog, ShownFailure, ShownFailureCode } from './shown-failure.ts';
export type { IndexItem } from './snapshot-items.ts';
