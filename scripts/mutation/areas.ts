import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The areas `npm run mutate` scores (issue 10, point 10): the pure logic of each, never its glue (routes,
 * repos, composition). Each area is scored on its own because the target (80% each) is per area: a high score
 * in one must not hide a low one in another. `security` areas list every mutant they leave alive, with why, in
 * docs/mutation.md.
 */
export interface MutationArea {
  readonly name: string;
  readonly title: string;
  readonly security: boolean;
  readonly files: readonly string[];
}

const SRC = 'apps/server/src';
const egress = (f: string) => `${SRC}/platform/egress/${f}`;
const rbac = (f: string) => `${SRC}/modules/rbac/${f}`;
const policy = (f: string) => `${SRC}/modules/policy/${f}`;
const tokens = (f: string) => `${SRC}/modules/oauth/tokens/${f}`;

export const MUTATION_AREAS: readonly MutationArea[] = [
  {
    name: 'egress',
    title: 'platform/egress (pure checks)',
    security: true,
    // agent.ts, fetch.ts (sockets, undici) and egress.ts (composition) are glue, covered by egress.int.test.ts.
    files: [
      'address.ts',
      'allowlist.ts',
      'errors.ts',
      'literal.ts',
      'org-match.ts',
      'org-rules.ts',
      'policy.ts',
      'ports.ts',
      'ranges.ts',
      'redirect.ts',
      'resolve.ts',
      'url.ts',
    ].map(egress),
  },
  {
    name: 'search',
    title: 'search planning and words',
    security: false,
    files: ['search-plan.ts', 'words.ts', 'search-suggestion.ts'].map((f) => `${SRC}/modules/search/${f}`),
  },
  {
    name: 'trust',
    title: 'manifest verification and JCS',
    security: true,
    files: ['jcs.ts', 'verify-manifest.ts', 'manifest-payload.ts', 'public-jwk.ts'].map(
      (f) => `${SRC}/modules/trust/${f}`,
    ),
  },
  { name: 'cursor', title: 'cursors', security: true, files: [`${SRC}/kernel/cursor.ts`] },
  { name: 'config', title: 'config', security: false, files: [`${SRC}/config/config.ts`] },
  { name: 'role-graph', title: 'role graph', security: true, files: [rbac('role-graph.ts')] },
  { name: 'escalation', title: 'escalation', security: true, files: [rbac('escalation.ts')] },
  {
    name: 'policy-set',
    title: 'policy-set building',
    security: true,
    files: ['policy-set.ts', 'role-policies.ts', 'owner-rail.ts'].map(policy),
  },
  {
    name: 'tokens',
    title: 'token verification',
    security: true,
    files: ['verify-access-token.ts', 'jws-header.ts'].map(tokens),
  },
  {
    name: 'dpop',
    title: 'DPoP proofs',
    security: true,
    files: ['dpop-proof.ts', 'proof-keys.ts'].map(tokens),
  },
];

/** The score each area must reach. */
export const TARGET_SCORE = 80;

/** The areas named (all when none is), or the names that match no area. */
export function selectAreas(names: readonly string[]): { areas: MutationArea[] } | { unknown: string[] } {
  if (names.length === 0) return { areas: [...MUTATION_AREAS] };
  const unknown = names.filter((n) => !MUTATION_AREAS.some((a) => a.name === n));
  if (unknown.length > 0) return { unknown };
  return { areas: MUTATION_AREAS.filter((a) => names.includes(a.name)) };
}

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The tests that must kill an area's mutants: the unit tests beside its files (`*.test.ts`, not `*.int.test.ts`).
 * A mutant that only a test of some other module notices is not caught by the tests that state the area's
 * rules; and a static mutant (a module-level table such as the blocked ranges) reruns every test it is given,
 * so handing it the whole suite would make a run take hours.
 */
export function testFilesOf(area: MutationArea): string[] {
  const dirs = [...new Set(area.files.map((f) => dirname(f)))];
  return dirs.flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.test.ts') && !f.endsWith('.int.test.ts'))
      .sort()
      .map((f) => `${dir}/${f}`),
  );
}

/** Where a run over these areas keeps its reports and incremental results: one place per selection. */
export function reportDir(areas: readonly MutationArea[]): string {
  const all = areas.length === MUTATION_AREAS.length;
  return `reports/mutation/${all ? 'all' : areas.map((a) => a.name).join('+')}`;
}
