import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { Action, Authorizer, Obligations } from '../authz/index.ts';
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

export type ServerGuard = (authz: Authorizer, action: Action, id: string) => Promise<Guarded>;

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
  authz: Authorizer,
  action: Action,
  id: string,
  facts: ServerFacts | undefined,
): Guarded {
  const plain = { type: 'server', orgId: authz.principal.orgId, id };
  if (facts === undefined) {
    authz.assert(action, plain);
    throw serverNotFound(id);
  }
  const resource = {
    ...plain,
    server: { name: facts.name, environment: facts.environment, tags: [...facts.tags] },
  };
  const d = authz.decide(action, resource);
  if (d.allowed) {
    authz.applyThrottle(action, d);
    return { obligations: d.obligations, server: resource.server };
  }
  const hidden = action === 'servers:read' || !authz.decide('servers:read', resource).allowed;
  if (hidden && authz.decide(action, plain).allowed) throw serverNotFound(id);
  return { obligations: authz.assert(action, resource), server: resource.server };
}

export function createServerGuard(db: Db): ServerGuard {
  return async (authz, action, id) => {
    const orgId = authz.principal.orgId;
    const facts = await withTenant(db, orgId, (tx) => findServerFacts(tx, orgId, id));
    return judgeServer(authz, action, id, facts);
  };
}
