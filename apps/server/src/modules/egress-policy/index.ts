export { EGRESS_POLICY_ERRORS, urlRefused } from './egress-policy.errors.ts';
export type { EgressPolicyModule } from './egress-policy.module.ts';
export { createEgressPolicyModule } from './egress-policy.module.ts';
export type { EgressPolicyTables } from './egress-policy.schema.ts';
