import { isPermission } from '../authz/index.ts';
import { CEDAR_NAMESPACE as NS } from './cedar-schema.ts';

/**
 * A role's permissions as one Cedar policy: `permit (principal in Role::"<name>", action in [...], resource)`.
 * Inheritance needs nothing here: a role is "in" the role it extends (entity parents), so the policy of
 * `viewer` covers every role built on it. A role with no permissions of its own has no policy.
 */
export interface RoleSource {
  readonly name: string;
  readonly extendsName: string | null;
  readonly permissions: readonly string[];
}

export const rolePolicyId = (name: string): string => `role/${name}`;

export function rolePolicies(roles: readonly RoleSource[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of roles) {
    const actions = r.permissions.filter(isPermission);
    if (actions.length === 0) continue;
    out[rolePolicyId(r.name)] = `permit (
  principal in ${NS}::Role::${JSON.stringify(r.name)},
  action in [${actions.map((a) => `${NS}::Action::${JSON.stringify(a)}`).join(', ')}],
  resource
);`;
  }
  return out;
}
