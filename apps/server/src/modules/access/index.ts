export type { Action, Decision, Resource } from './authorize.ts';
export { assertAllowed, authorize } from './authorize.ts';
