/**
 * platform/policy: the fail-closed Cedar wrapper (schema validation on every request, any error a deny).
 * What SprintConnect's entities, actions and policies are is the business of the authz and policy modules.
 */
export type {
  CedarContext,
  CedarDecision,
  CedarEntity,
  CedarEntityUid,
  CedarRequest,
  CedarValueJson,
  PolicyEngine,
  PolicyProblem,
} from './engine.ts';
export { createPolicyEngine } from './engine.ts';
export type { LineColumn } from './source-lines.ts';
export { lineColumnAt } from './source-lines.ts';
