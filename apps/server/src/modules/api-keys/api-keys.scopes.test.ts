import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_KEY_SCOPES, SCOPE_LEVELS, SCOPE_RESOURCES } from '@sprintconnect/contracts';
import { describe, expect, it } from 'vitest';
import { withPolicySet } from '../../../test/policy-fixture.ts';
import { type Authorizer, PERMISSIONS } from '../authz/index.ts';

const heldPermissions = (authz: Authorizer) => authz.held();

/**
 * docs/scopes.md is generated from API_KEY_SCOPES (contracts) and what authorize() lets a key with each scope do;
 * this test fails when they drift. Regenerate with: SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit scopes
 */
const DOC = resolve(import.meta.dirname, '../../../../../docs/scopes.md');

const keyWith = (scope: string): Authorizer =>
  withPolicySet({
    kind: 'api_key',
    id: 'k',
    orgId: 'o',
    name: 'k',
    scopes: [scope],
    roles: [],
    authMethod: 'api_key',
  });

function render(): string {
  return [
    '# API-key scopes',
    '',
    '<!-- Generated from API_KEY_SCOPES (packages/contracts/src/api-keys.ts) and authorize() by',
    '     apps/server/src/modules/api-keys/api-keys.scopes.test.ts; regenerate with',
    '     SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit scopes -->',
    '',
    'An API key carries one or more scopes, chosen when it is created (`POST /v1/api-keys`). A scope is a level,',
    '`read` < `write` < `admin` (each includes the ones before it), over everything or narrowed to one resource',
    'type (`servers:write`). What each permission allows is in [permissions.md](permissions.md).',
    '',
    'Rules when creating a key:',
    '',
    '- Only the scopes below are accepted; anything else is `422 validation_failed`.',
    "- A key's scopes must be within your own permissions: you cannot create a key that could do something you",
    '  cannot (`403 forbidden`, naming the scope and the permissions you lack).',
    '- A key may also hold roles (`roles`), instead of or beside scopes: it is then decided like a user holding',
    "  them, so the role's permissions and every policy on the role apply to it. Each role must be within your",
    '  own permissions too (ADR 0037). A key needs at least one scope or one role.',
    '- A person creating a key with admin-level power (a permission that `write` does not grant, such as',
    '  `api_keys:admin`) must have signed in within the last 10 minutes (`403 step_up_required`).',
    '',
    '| scope | permissions it grants |',
    '|---|---|',
    ...API_KEY_SCOPES.map((s) => {
      const granted = heldPermissions(keyWith(s));
      return `| \`${s}\` | ${granted.length === 0 ? 'none yet' : granted.map((p) => `\`${p}\``).join(', ')} |`;
    }),
    '',
  ].join('\n');
}

describe('API-key scopes', () => {
  it('docs/scopes.md lists exactly the accepted scopes and what each grants', () => {
    const expected = render();
    if (process.env.SPRINTCONNECT_WRITE_DOCS === '1') writeFileSync(DOC, expected);
    expect(readFileSync(DOC, 'utf8')).toBe(expected);
  });

  it('are every level, alone and narrowed to every resource type a permission names', () => {
    const types = new Set(Object.values(PERMISSIONS).map((p) => p.scope.type));
    expect(new Set(SCOPE_RESOURCES)).toEqual(types);
    expect(API_KEY_SCOPES).toHaveLength(SCOPE_LEVELS.length * (SCOPE_RESOURCES.length + 1));
  });

  it('grant more with each level: admin includes write, write includes read', () => {
    for (const prefix of ['', ...SCOPE_RESOURCES.map((r) => `${r}:`)]) {
      const [r, w, a] = SCOPE_LEVELS.map((l) => new Set(heldPermissions(keyWith(`${prefix}${l}`))));
      expect([...r!].every((p) => w!.has(p))).toBe(true);
      expect([...w!].every((p) => a!.has(p))).toBe(true);
    }
  });
});
