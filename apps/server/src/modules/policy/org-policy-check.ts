import type { PolicyEngine } from '../../platform/policy/index.ts';
import type { TextProblem } from './policy.errors.ts';
import { type OrgPolicySource, policySetText } from './policy-set.ts';

/**
 * What an org may save: its policies, together with the system and role policies, must validate against the
 * schema (a set that does not load makes every decision a deny), and the obligations its annotations ask for
 * must be ones the API can apply (a misspelt redact field would silently leak the field).
 */
export interface ObligationVocabulary {
  /** Fields `@obligation_redact("a,b")` may name. */
  readonly redactable: readonly string[];
  /** Classes `@obligation_throttle("c")` may name. */
  readonly throttleClasses: readonly string[];
}

export interface CandidatePolicy {
  readonly name: string;
  readonly text: string;
  /** Where the text is in the request, for `errors[].pointer`. */
  readonly pointer: string;
}

const ORG_PREFIX = 'org/';

/**
 * `result.<field>`: a property of an MCP gateway call's result to mask (issue 11 point 4, ADR 0048); any name
 * a tool's output may use, so no list to check it against, only its shape.
 */
const RESULT_FIELD = /^result\.[A-Za-z_$][\w$-]*$/;

function lineOf(text: string, needle: string): { line: number; column: number } | undefined {
  const at = text.indexOf(needle);
  if (at < 0) return undefined;
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function obligationProblems(
  engine: PolicyEngine,
  c: CandidatePolicy,
  vocabulary: ObligationVocabulary,
): TextProblem[] {
  const a = engine.annotations({ [c.name]: c.text })[c.name] ?? {};
  const out: TextProblem[] = [];
  if (a.obligation_redact !== undefined) {
    const unknown = a.obligation_redact
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f === '' || !(vocabulary.redactable.includes(f) || RESULT_FIELD.test(f)));
    if (unknown.length > 0) {
      out.push({
        policy: c.name,
        pointer: c.pointer,
        message: `@obligation_redact names ${unknown.map((f) => `"${f}"`).join(', ')}, which cannot be redacted; redactable fields: ${vocabulary.redactable.join(', ')}, or result.<field> for MCP gateway results`,
        ...lineOf(c.text, '@obligation_redact'),
      });
    }
  }
  if (a.obligation_throttle !== undefined && !vocabulary.throttleClasses.includes(a.obligation_throttle)) {
    out.push({
      policy: c.name,
      pointer: c.pointer,
      message: `@obligation_throttle names the unknown class "${a.obligation_throttle}"; classes: ${vocabulary.throttleClasses.join(', ')}`,
      ...lineOf(c.text, '@obligation_throttle'),
    });
  }
  return out;
}

/**
 * Problems of the org's set once `changed` replaces (or joins) its policies: every policy in `enabled` plus the
 * changed ones are checked together with the system and role policies. Empty means the set will load.
 */
export function checkOrgPolicies(
  engine: PolicyEngine,
  source: OrgPolicySource,
  changed: readonly CandidatePolicy[],
  vocabulary: ObligationVocabulary,
): TextProblem[] {
  const names = new Set(changed.map((c) => c.name));
  const policies = [
    ...source.policies.filter((p) => !names.has(p.name)),
    ...changed.map((c) => ({ name: c.name, text: c.text })),
  ];
  const pointerOf = new Map(changed.map((c) => [c.name, c.pointer]));
  const fallback = changed[0];
  const problems = engine.check(policySetText({ ...source, policies })).map((p): TextProblem => {
    const name =
      p.policyId === undefined
        ? (fallback?.name ?? '')
        : p.policyId.startsWith(ORG_PREFIX)
          ? p.policyId.slice(ORG_PREFIX.length)
          : p.policyId;
    return {
      policy: name,
      pointer: pointerOf.get(name) ?? fallback?.pointer ?? '/policy',
      message: p.help === undefined ? p.message : `${p.message} (${p.help})`,
      ...(p.line === undefined ? {} : { line: p.line, column: p.column ?? 1 }),
    };
  });
  if (problems.length > 0) return problems;
  return changed.flatMap((c) => obligationProblems(engine, c, vocabulary));
}
