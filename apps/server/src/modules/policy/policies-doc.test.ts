import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../rbac/index.ts';
import { CEDAR_SCHEMA } from './cedar-schema.ts';
import { createPdp } from './pdp.ts';
import { rolePolicies } from './role-policies.ts';
import { SYSTEM_POLICIES } from './system-policies.ts';

/**
 * docs/policies.md shows the Cedar schema, the system policies and the built-in roles' policies between
 * `<!-- generated:... -->` markers; this test fails when they drift from the code, and validates every example.
 * Regenerate the blocks with: SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit policies-doc
 */
const DOC = resolve(import.meta.dirname, '../../../../../docs/policies.md');

const fence = (text: string) => ['```cedar', text.trimEnd(), '```'].join('\n');

function blocks(): Record<string, string> {
  const roles = rolePolicies(
    BUILT_IN_ROLES.map((r) => ({ name: r.name, extendsName: r.extends, permissions: r.permissions })),
  );
  return {
    schema: fence(CEDAR_SCHEMA),
    'system-policies': Object.entries(SYSTEM_POLICIES)
      .map(([id, text]) => `\`${id}\`:\n\n${fence(text)}`)
      .join('\n\n'),
    'role-policies': Object.entries(roles)
      .map(([id, text]) => `\`${id}\`:\n\n${fence(text)}`)
      .join('\n\n'),
  };
}

function render(doc: string): string {
  let out = doc;
  for (const [name, body] of Object.entries(blocks())) {
    const re = new RegExp(`<!-- generated:${name} -->[\\s\\S]*?<!-- /generated:${name} -->`);
    if (!re.test(out)) throw new Error(`docs/policies.md has no generated:${name} block`);
    out = out.replace(re, () => `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`);
  }
  return out;
}

describe('docs/policies.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('shows the schema, the system policies and the built-in role policies exactly as the code has them', () => {
    const expected = render(doc);
    if (process.env.SPRINTCONNECT_WRITE_DOCS === '1') writeFileSync(DOC, expected);
    expect(readFileSync(DOC, 'utf8')).toBe(expected);
  });

  it('every example policy validates against the schema, with the system policies beside it', () => {
    const outside = doc.replace(/<!-- generated:([a-z-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '');
    const examples = [...outside.matchAll(/```cedar\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const engine = createPdp().engine;
    examples.forEach((text, i) => {
      expect(engine.check({ ...SYSTEM_POLICIES, [`org/example-${i}`]: text }), text).toEqual([]);
    });
  });
});
