export { authorize, assertAllowed } from './authorize.ts';
export type { Action, Decision, Resource } from './authorize.ts';
