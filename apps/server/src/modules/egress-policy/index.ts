export { EGRESS_POLICY_CHANNEL } from './egress-policy.repo.ts';
export { egressPolicyRoutes } from './egress-policy.routes.ts';
export type { EgressPolicyService } from './egress-policy.service.ts';
export { createEgressPolicyService } from './egress-policy.service.ts';
export type { LoadedPolicy, OrgEgress, OrgScopedEgress } from './org-egress.ts';
export { createOrgEgress } from './org-egress.ts';
