import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, PERMISSIONS } from '../authz/index.ts';
import { BUILT_IN_ROLES } from './built-in-roles.ts';
import { effectivePermissions, type RoleNode } from './role-graph.ts';

/**
 * docs/permissions.md is generated from PERMISSIONS and BUILT_IN_ROLES; this test fails when they drift.
 * Regenerate with: SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit permissions-doc
 */
const DOC = resolve(import.meta.dirname, '../../../../../docs/permissions.md');

function render(): string {
  const graph = new Map<string, RoleNode>(
    BUILT_IN_ROLES.map((r) => [r.name, { id: r.name, extendsId: r.extends, permissions: r.permissions }]),
  );
  const order = [...BUILT_IN_ROLES].reverse();
  const lines = [
    '# Permissions',
    '',
    '<!-- Generated from apps/server/src/modules/{authz/permissions,rbac/built-in-roles}.ts by permissions-doc.test.ts;',
    '     regenerate with SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit permissions-doc -->',
    '',
    'Every action of the API is one permission. Users and OAuth clients get permissions from their roles (the',
    'union over all their roles, inherited permissions included); when they call with an access token, the',
    "token's scopes narrow that further. API keys are governed by their scopes: a level (`read` < `write` <",
    '`admin`), optionally narrowed to a type (`servers:write`); the permission name itself also works as a scope.',
    'Nobody can create, change, grant or remove a role carrying a permission they do not hold themselves.',
    '',
    '| permission | API-key scope | allows |',
    '|---|---|---|',
    ...ALL_PERMISSIONS.map((p) => {
      const s = PERMISSIONS[p].scope;
      return `| \`${p}\` | \`${s.type}:${s.level}\` or \`${s.level}\` | ${PERMISSIONS[p].description} |`;
    }),
    '',
    '## Built-in roles',
    '',
    'Every organization has these five roles; they cannot be changed or deleted. Custom roles can extend them.',
    '',
    '| role | extends | adds | description |',
    '|---|---|---|---|',
    ...order.map(
      (r) =>
        `| \`${r.name}\` | ${r.extends === null ? '-' : `\`${r.extends}\``} | ${r.permissions.map((p) => `\`${p}\``).join(', ')} | ${r.description} |`,
    ),
    '',
    '## Who has what',
    '',
    `| permission | ${order.map((r) => r.name).join(' | ')} |`,
    `|---|${order.map(() => '---').join('|')}|`,
    ...ALL_PERMISSIONS.map(
      (p) =>
        `| \`${p}\` | ${order.map((r) => (effectivePermissions(graph, r.name).includes(p) ? 'yes' : '')).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

describe('permission catalogue', () => {
  it('docs/permissions.md is generated from the permission list and the built-in roles', () => {
    const expected = render();
    if (process.env.SPRINTCONNECT_WRITE_DOCS === '1') writeFileSync(DOC, expected);
    expect(readFileSync(DOC, 'utf8')).toBe(expected);
  });

  it('built-in roles name only known permissions, extend an earlier built-in, and add nothing twice', () => {
    const seen = new Set<string>();
    for (const r of BUILT_IN_ROLES) {
      for (const p of r.permissions) expect(Object.hasOwn(PERMISSIONS, p)).toBe(true);
      if (r.extends !== null) expect(seen.has(r.extends)).toBe(true);
      seen.add(r.name);
    }
    const graph = new Map<string, RoleNode>(
      BUILT_IN_ROLES.map((r) => [r.name, { id: r.name, extendsId: r.extends, permissions: r.permissions }]),
    );
    for (const r of BUILT_IN_ROLES) {
      const inherited = r.extends === null ? [] : effectivePermissions(graph, r.extends);
      expect(r.permissions.filter((p) => inherited.includes(p))).toEqual([]);
    }
  });

  it('the owner holds every permission, so some person can always grant any role', () => {
    const graph = new Map<string, RoleNode>(
      BUILT_IN_ROLES.map((r) => [r.name, { id: r.name, extendsId: r.extends, permissions: r.permissions }]),
    );
    expect(effectivePermissions(graph, 'owner')).toEqual(ALL_PERMISSIONS);
  });
});
