import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { Action, Obligations } from '../access/index.ts';
import { admitThrottle, assertAllowed, authorize } from '../access/index.ts';
import type { Principal } from '../identity/index.ts';
import { serverNotFound } from './registry.errors.ts';
import { findServerFacts } from './servers.repo.ts';

/**
 * The guard of every route on one server (`/v1/servers/{id}...`): the PDP decides on the server with its
 * attributes (name, environment, tags), so system and org policies on `SprintConnect::Server` apply
 * (production needs `servers:production`, ADR 0020). A server the caller may not read does not exist for it:
 * 404, exactly as for an id of another org, so a production server's existence does not leak. A caller whose
 * roles or scopes do not grant the action at all still gets the 403 naming what it lacks.
 */
/** What a guarded route learns: the decision's obligations and what policies saw of the server. */
export interface Guarded {
  readonly obligations: Obligations;
  readonly server: ServerFacts;
}

export type ServerGuard = (principal: Principal, action: Action, id: string) => Promise<Guarded>;

export interface ServerFacts {
  readonly name: string;
  readonly environment: string;
  readonly tags: readonly string[];
}

/**
 * The decision itself, on a server already loaded (or `undefined` when there is none): returns the obligations
 * or throws the 404/403. Callers that load the server anyway use this in their own transaction.
 */
export function judgeServer(
  principal: Principal,
  action: Action,
  id: string,
  facts: ServerFacts | undefined,
): Guarded {
  const plain = { type: 'server', orgId: principal.orgId, id };
  if (facts === undefined) {
    assertAllowed(principal, action, plain);
    throw serverNotFound(id);
  }
  const resource = {
    ...plain,
    server: { name: facts.name, environment: facts.environment, tags: [...facts.tags] },
  };
  const d = authorize(principal, action, resource);
  if (d.allowed) {
    admitThrottle(principal, action, d.decisionId, d.obligations);
    return { obligations: d.obligations, server: resource.server };
  }
  const hidden = action === 'servers:read' || !authorize(principal, 'servers:read', resource).allowed;
  if (hidden && authorize(principal, action, plain).allowed) throw serverNotFound(id);
  return { obligations: assertAllowed(principal, action, resource), server: resource.server };
}

export function createServerGuard(db: Db): ServerGuard {
  return async (principal, action, id) => {
    const facts = await withTenant(db, principal.orgId, (tx) => findServerFacts(tx, principal.orgId, id));
    return judgeServer(principal, action, id, facts);
  };
}
