export type { EgressPolicyModule } from './egress-policy.module.ts';
export { createEgressPolicyModule } from './egress-policy.module.ts';
