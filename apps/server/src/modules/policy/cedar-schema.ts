import { ALL_PERMISSIONS } from '../authz/index.ts';

/**
 * SprintConnect's Cedar schema, generated from the one permission list: one action per permission, so a new
 * permission is an action the moment it is added. Entities:
 *
 * - principals: `User` and `Client` (members of `Role`s), `ApiKey` (governed by its scopes, and a member of the
 *   roles it holds, ADR 0037);
 * - `Role in [Role]`: role inheritance is entity membership (a role is "in" the role it extends), so a policy
 *   on `principal in Role::"viewer"` also covers engineers, admins and owners;
 * - resources: `Org`, `Server`, `Capability in [Server]`, and `Resource` (with a `kind`) for every other kind
 *   (jobs, roles, users, API keys, policies, webhooks...);
 * - `CallArguments`: a gateway call's top-level scalar arguments as entity tags (`context.args`), because Cedar's
 *   strict validation has no open records and argument names are the tools' own (ADR 0040).
 * - `context.invocationClass`: a gateway call's class (`read`, `write`, `destructive`), the annotations' or a
 *   virtual server override's (ADR 0048).
 *
 * `docs/policies.md` shows this text and is checked against it by a test.
 */
export const CEDAR_NAMESPACE = 'SprintConnect';

const actions = ALL_PERMISSIONS.map((p) => `"${p}"`).join(', ');

export const CEDAR_SCHEMA = `namespace ${CEDAR_NAMESPACE} {
  entity Org;
  entity Role in [Role];
  entity User in [Role] = { org: Org, email: String };
  entity Client in [Role] = { org: Org };
  entity ApiKey in [Role] = { org: Org, scopes: Set<String> };
  entity Server = { org: Org, name: String, environment: String, tags: Set<String> };
  entity Capability in [Server] = { org: Org, server: Server, kind: String, name: String };
  entity Resource = { org: Org, kind: String };
  entity CallArguments tags String;

  type ToolAnnotations = {
    readOnlyHint?: Bool,
    destructiveHint?: Bool,
    idempotentHint?: Bool,
    openWorldHint?: Bool,
  };

  type LocalTime = {
    hour: Long,
    minute: Long,
    weekday: Long,
    date: String,
  };

  type RequestContext = {
    authMethod: String,
    roles: Set<String>,
    scopes: Set<String>,
    tokenScoped: Bool,
    scopeGranted: Bool,
    ip?: ipaddr,
    time: LocalTime,
    productionAccess?: Bool,
    args?: CallArguments,
    annotations?: ToolAnnotations,
    invocationClass?: String,
  };

  action ${actions}
    appliesTo {
      principal: [User, Client, ApiKey],
      resource: [Org, Server, Capability, Resource],
      context: RequestContext,
    };
}
`;
