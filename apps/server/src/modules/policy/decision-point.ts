import type { PolicyEngine } from '../../platform/policy/index.ts';
import type { Principal } from '../identity/index.ts';
import { type AuthorizerFacts, RequestAuthorizer } from './authorizer.ts';
import { createPdp, type Pdp } from './pdp.ts';
import { createServerFilter, type ServerFilter } from './server-filter.ts';

/**
 * The PDP with its decision memo, time-zone formatters and listing filter caches: built once at start (the
 * policy module's factory; a test or bench builds its own) and handed to every authorizer it makes, so no
 * decision state is a module global (issue 9 point 2, ADR 0029).
 */
export interface DecisionPoint {
  readonly pdp: Pdp;
  readonly filter: ServerFilter;
  /** An authorizer for `principal` on the facts given (the org's set, time, address, log, throttle). */
  authorizer(principal: Principal, facts: AuthorizerFacts): RequestAuthorizer;
}

export function createDecisionPoint(opts: { engine?: PolicyEngine } = {}): DecisionPoint {
  const pdp = createPdp(opts);
  const filter = createServerFilter(pdp);
  return {
    pdp,
    filter,
    authorizer: (principal, facts) => new RequestAuthorizer(principal, facts, pdp, filter),
  };
}
