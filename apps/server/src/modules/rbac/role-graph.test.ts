import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../authz/index.ts';
import {
  chainOf,
  effectivePermissions,
  inheritanceProblem,
  MAX_INHERITANCE_DEPTH,
  permissionsOfRoles,
  type RoleNode,
} from './role-graph.ts';

const graph = (...nodes: RoleNode[]) => new Map(nodes.map((n) => [n.id, n]));
const node = (id: string, extendsId: string | null, permissions: string[]): RoleNode => ({
  id,
  extendsId,
  permissions,
});

const viewer = node('viewer', null, ['servers:list', 'servers:read']);
const engineer = node('engineer', 'viewer', ['servers:create']);
const admin = node('admin', 'engineer', ['roles:write']);
const analyst = node('analyst', 'viewer', ['audit:read']);
const roles = graph(viewer, engineer, admin, analyst);

describe('role inheritance', () => {
  it('a role has its own permissions and all of its ancestors', () => {
    expect(effectivePermissions(roles, 'admin')).toEqual([
      'servers:list',
      'servers:read',
      'servers:create',
      'roles:write',
    ]);
  });

  it('a principal with several roles has the union of their permissions', () => {
    expect(permissionsOfRoles(roles, ['engineer', 'analyst'])).toEqual([
      'servers:list',
      'servers:read',
      'servers:create',
      'audit:read',
    ]);
  });

  it('unknown permission strings in stored data grant nothing', () => {
    expect(effectivePermissions(graph(node('x', null, ['servers:list', 'root:everything'])), 'x')).toEqual([
      'servers:list',
    ]);
  });

  it('a role in a cycle (data changed behind our back) grants nothing: fail closed', () => {
    const cyclic = graph(node('a', 'b', ['servers:list']), node('b', 'a', ['servers:read']));
    expect(chainOf(cyclic, 'a')).toBeUndefined();
    expect(effectivePermissions(cyclic, 'a')).toEqual([]);
    expect(permissionsOfRoles(cyclic, ['a', 'b'])).toEqual([]);
  });

  it('a role whose parent is missing or that is unknown grants nothing', () => {
    expect(effectivePermissions(graph(node('a', 'gone', ['servers:list'])), 'a')).toEqual([]);
    expect(permissionsOfRoles(roles, ['nope'])).toEqual([]);
  });
});

describe('inheritance changes', () => {
  it('refuses a role extending itself', () => {
    expect(inheritanceProblem(roles, 'viewer', 'viewer')).toBe('a role cannot extend itself');
  });

  it('refuses a cycle through descendants', () => {
    expect(inheritanceProblem(roles, 'viewer', 'admin')).toBe('this would make an inheritance cycle');
  });

  it('refuses a parent that does not exist', () => {
    expect(inheritanceProblem(roles, 'new', 'ghost')).toBe('the parent role does not exist');
  });

  it('allows a new role to extend any existing one, and re-parenting without a cycle', () => {
    expect(inheritanceProblem(roles, 'new', 'admin')).toBeUndefined();
    expect(inheritanceProblem(roles, 'analyst', 'engineer')).toBeUndefined();
  });

  it('refuses chains deeper than the limit, counting the roles below the one that moves', () => {
    const chain: RoleNode[] = [];
    for (let i = 0; i < MAX_INHERITANCE_DEPTH; i++)
      chain.push(node(`r${i}`, i === 0 ? null : `r${i - 1}`, []));
    const g = graph(...chain, node('top', null, []), node('child', 'top', []));
    expect(inheritanceProblem(g, 'new', `r${MAX_INHERITANCE_DEPTH - 1}`)).toMatch(/deep; the limit is/);
    expect(inheritanceProblem(g, 'top', `r${MAX_INHERITANCE_DEPTH - 2}`)).toMatch(/deep/);
    expect(inheritanceProblem(g, 'top', `r${MAX_INHERITANCE_DEPTH - 3}`)).toBeUndefined();
  });
});

describe('inheritance limits on stored data', () => {
  const line = (n: number): RoleNode[] =>
    Array.from({ length: n }, (_, i) =>
      node(`r${i}`, i === 0 ? null : `r${i - 1}`, [ALL_PERMISSIONS[i] ?? '']),
    );

  it('a chain of exactly the limit grants every permission along it; one role deeper grants nothing', () => {
    const atLimit = graph(...line(MAX_INHERITANCE_DEPTH));
    const top = `r${MAX_INHERITANCE_DEPTH - 1}`;
    expect(chainOf(atLimit, top)).toHaveLength(MAX_INHERITANCE_DEPTH);
    expect(effectivePermissions(atLimit, top)).toHaveLength(MAX_INHERITANCE_DEPTH);
    const tooDeep = graph(...line(MAX_INHERITANCE_DEPTH + 1));
    expect(chainOf(tooDeep, `r${MAX_INHERITANCE_DEPTH}`)).toBeUndefined();
    expect(effectivePermissions(tooDeep, `r${MAX_INHERITANCE_DEPTH}`)).toEqual([]);
  });

  it('refuses a parent caught in a cycle that does not pass through the role itself', () => {
    const g = graph(node('a', 'b', []), node('b', 'a', []));
    expect(inheritanceProblem(g, 'new', 'a')).toBe('the parent role is part of an inheritance cycle');
  });

  it('counts every generation below the role that moves, not just its children', () => {
    // `moving` has two generations below it (mid, then leaf): under a chain of 6 it makes 6 + 1 + 2 = 9 roles.
    const g = graph(...line(6), node('moving', null, []), node('mid', 'moving', []), node('leaf', 'mid', []));
    expect(inheritanceProblem(g, 'moving', 'r5')).toBe('inheritance would be 9 roles deep; the limit is 8');
    expect(inheritanceProblem(g, 'moving', 'r4')).toBeUndefined();
  });

  it('refuses to move a role with a cycle below it (data changed behind our back) instead of recursing forever', () => {
    // b and c extend each other; moving b under p would still leave c (and so b again) below it.
    const g = graph(node('p', null, []), node('a', null, []), node('b', 'c', []), node('c', 'b', []));
    expect(inheritanceProblem(g, 'b', 'p')).toMatch(/roles deep; the limit is 8$/);
    expect(inheritanceProblem(g, 'a', 'p')).toBeUndefined();
  });
});
