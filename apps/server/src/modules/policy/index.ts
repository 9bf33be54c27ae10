export type { DecisionPoint } from './decision-point.ts';
export { createDecisionPoint } from './decision-point.ts';
export { POLICY_ERRORS } from './policy.errors.ts';
export type { PolicyModule } from './policy.module.ts';
export { createPolicyModule } from './policy.module.ts';
export type { PolicyTables } from './policy.schema.ts';
export { compileOrgPolicySet } from './policy-set.ts';
