import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET } from './budget-rules.ts';
import { QUOTA_NAMES, QUOTAS } from './catalogue.ts';
import { DEFAULT_INVOCATION_CLASS, INVOCATION_CLASSES, type InvocationClass } from './invocation-classes.ts';

/**
 * The generated tables of docs/rate-limits.md (between the `generated:` markers) must match the constants.
 * Regenerate with: SPRINTCONNECT_WRITE_DOCS=1 npx vitest run --project unit limits-doc
 */
const DOC = resolve(import.meta.dirname, '../../../../../docs/rate-limits.md');

const sections: Record<string, () => string[]> = {
  'invocation-classes': () => [
    '| class | invocations per caller and capability per minute | for |',
    '|---|---|---|',
    ...(Object.keys(INVOCATION_CLASSES) as InvocationClass[]).map((c) => {
      const spec = INVOCATION_CLASSES[c];
      const rate = spec.perMinute === null ? 'no per-class limit' : String(spec.perMinute);
      return `| \`${c}\`${c === DEFAULT_INVOCATION_CLASS ? ' (default)' : ''} | ${rate} | ${spec.description} |`;
    }),
  ],
  quotas: () => [
    '| quota | kind | default | counts |',
    '|---|---|---|---|',
    ...QUOTA_NAMES.map(
      (q) => `| \`${q}\` | ${QUOTAS[q].kind} | ${QUOTAS[q].default} | ${QUOTAS[q].description} |`,
    ),
  ],
  budget: () => [
    `The default budget is ${DEFAULT_BUDGET.limit} API calls per month in \`${DEFAULT_BUDGET.mode}\` mode.`,
  ],
};

function render(doc: string): string {
  let out = doc;
  for (const [name, lines] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    out = out.replace(re, (_m, start: string, end: string) => `${start}${lines().join('\n')}\n${end}`);
  }
  return out;
}

describe('docs/rate-limits.md', () => {
  it('shows exactly the invocation classes, quota catalogue and default budget of the code', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const name of Object.keys(sections)) expect(doc).toContain(`<!-- generated:${name} -->`);
    const expected = render(doc);
    if (process.env.SPRINTCONNECT_WRITE_DOCS === '1') writeFileSync(DOC, expected);
    expect(doc).toBe(expected);
  });
});
