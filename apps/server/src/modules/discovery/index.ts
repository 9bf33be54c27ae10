export { DISCOVERY_ERRORS } from './discovery.errors.ts';
export type { DiscoveryModule } from './discovery.module.ts';
export { createDiscoveryModule } from './discovery.module.ts';
export type { CapabilityObserver } from './discovery-store.ts';
export { toolDefinitionHash } from './mcp/index.ts';
