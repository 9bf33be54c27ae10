import { ALL_PERMISSIONS, isPermission, type Permission } from '../authz/index.ts';

/**
 * Role inheritance is single-parent: a role has its own permissions plus everything of the role it extends,
 * transitively. Pure functions over an org's roles, used by the resolver (reads) and the roles service (writes).
 */
export interface RoleNode {
  readonly id: string;
  readonly extendsId: string | null;
  readonly permissions: readonly string[];
}

export type RoleMap = ReadonlyMap<string, RoleNode>;

/** Longest chain from a role to its root, the role included; deeper chains are refused on write. */
export const MAX_INHERITANCE_DEPTH = 8;

/**
 * The role and its ancestors, nearest first; undefined when the chain is broken (a missing parent), loops or
 * is deeper than the limit. Writes refuse all three, so this only guards against data changed behind our back.
 */
export function chainOf(roles: RoleMap, id: string): RoleNode[] | undefined {
  const chain: RoleNode[] = [];
  const seen = new Set<string>();
  for (let cur: string | null = id; cur !== null; ) {
    const node = roles.get(cur);
    if (node === undefined || seen.has(cur) || chain.length >= MAX_INHERITANCE_DEPTH) return undefined;
    seen.add(cur);
    chain.push(node);
    cur = node.extendsId;
  }
  return chain;
}

const inOrder = (set: ReadonlySet<string>): Permission[] => ALL_PERMISSIONS.filter((p) => set.has(p));

/** Own and inherited permissions of one role, in catalogue order. A broken chain grants nothing (fail closed). */
export function effectivePermissions(roles: RoleMap, id: string): Permission[] {
  const chain = chainOf(roles, id);
  if (chain === undefined) return [];
  const set = new Set<string>();
  for (const node of chain) for (const p of node.permissions) if (isPermission(p)) set.add(p);
  return inOrder(set);
}

/** What a principal holding these roles may do: the union of their effective permissions. */
export function permissionsOfRoles(roles: RoleMap, roleIds: Iterable<string>): Permission[] {
  const set = new Set<string>();
  for (const id of roleIds) for (const p of effectivePermissions(roles, id)) set.add(p);
  return inOrder(set);
}

/** Height of the inheritance tree below `id` (0 when no role extends it). */
function heightBelow(roles: RoleMap, id: string, guard = 0): number {
  if (guard > MAX_INHERITANCE_DEPTH) return guard;
  let h = 0;
  for (const r of roles.values()) {
    if (r.extendsId === id) h = Math.max(h, 1 + heightBelow(roles, r.id, guard + 1));
  }
  return h;
}

/**
 * Why `id` may not extend `parentId`, or undefined when it may. `id` may be a role that does not exist yet.
 * A cycle (the parent is the role itself or inherits from it) would make permissions ill-defined, and a chain
 * deeper than MAX_INHERITANCE_DEPTH would be cut off by `chainOf`; both are refused.
 */
export function inheritanceProblem(roles: RoleMap, id: string, parentId: string): string | undefined {
  if (parentId === id) return 'a role cannot extend itself';
  const parentChain: string[] = [];
  for (let cur: string | null = parentId; cur !== null; ) {
    if (cur === id) return 'this would make an inheritance cycle';
    const node = roles.get(cur);
    if (node === undefined) return 'the parent role does not exist';
    if (parentChain.includes(cur)) return 'the parent role is part of an inheritance cycle';
    parentChain.push(cur);
    cur = node.extendsId;
  }
  const depth = parentChain.length + 1 + heightBelow(roles, id);
  if (depth > MAX_INHERITANCE_DEPTH) {
    return `inheritance would be ${depth} roles deep; the limit is ${MAX_INHERITANCE_DEPTH}`;
  }
  return undefined;
}
