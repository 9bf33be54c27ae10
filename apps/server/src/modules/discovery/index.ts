export type { DiscoveryModule } from './discovery.module.ts';
export { createDiscoveryModule } from './discovery.module.ts';
