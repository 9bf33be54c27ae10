export type { ThrottleAnswer } from './authorizer.ts';
export { CEDAR_NAMESPACE, CEDAR_SCHEMA } from './cedar-schema.ts';
export type { DecisionPoint } from './decision-point.ts';
export { createDecisionPoint } from './decision-point.ts';
export type { PolicyModule, RequestFacts } from './policy.module.ts';
export { createPolicyModule } from './policy.module.ts';
export type { CompileResult, OrgPolicySource } from './policy-set.ts';
export { compileOrgPolicySet } from './policy-set.ts';
