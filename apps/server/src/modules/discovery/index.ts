export type { CapabilitiesService } from './capabilities.service.ts';
export { createCapabilitiesService } from './capabilities.service.ts';
export { discoveryRoutes } from './discovery.routes.ts';
export type {
  CapabilityIndexer,
  DiscoveryJobData,
  DiscoveryQuota,
  DiscoveryService,
} from './discovery.service.ts';
export {
  createDiscoveryService,
  DISCOVERY_KIND,
  DISCOVERY_MAX_ATTEMPTS,
  DISCOVERY_QUEUE,
} from './discovery.service.ts';
export type { DiscoveryFailureLog, ShownFailure, ShownFailureCode } from './shown-failure.ts';
export type { IndexItem } from './snapshot-items.ts';
