import { AppError, type CodeOf, defineErrors, type FieldError } from '../../kernel/index.ts';

export const POLICY_ERRORS = defineErrors({
  policy_not_found: { status: 404, title: 'Policy not found' },
  policy_name_taken: { status: 409, title: 'Policy name already used' },
  policy_invalid: { status: 422, title: 'Policy invalid' },
  policy_version_not_found: { status: 404, title: 'Policy version not found' },
});

export type PolicyErrorCode = CodeOf<typeof POLICY_ERRORS>;

export class PolicyError extends AppError<PolicyErrorCode> {}

export const policyNotFound = (id: string) =>
  new PolicyError('policy_not_found', `No policy ${id} in this organization.`);

export const policyNameTaken = (name: string) =>
  new PolicyError('policy_name_taken', `A policy named "${name}" already exists in this organization.`, {
    errors: [{ pointer: '/name', detail: 'already used' }],
  });

export const policyVersionNotFound = (n: number) =>
  new PolicyError('policy_version_not_found', `The organization's policy set has no version ${n}.`);

/** One problem of a policy text, with the policy's name and where in its text. */
export interface TextProblem {
  readonly policy: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** Where in the request body the policy text is (e.g. `/policy`). */
  readonly pointer: string;
}

export const policyInvalid = (problems: readonly TextProblem[]) => {
  const first = problems[0];
  const where = (p: TextProblem) =>
    p.line === undefined ? '' : ` (line ${p.line}, column ${p.column ?? 1})`;
  const errors: FieldError[] = problems.map((p) => ({
    pointer: p.pointer,
    detail: p.message,
    policy: p.policy,
    ...(p.line === undefined ? {} : { line: p.line, column: p.column ?? 1 }),
  }));
  return new PolicyError(
    'policy_invalid',
    problems.length === 1 && first !== undefined
      ? `The policy "${first.policy}" is invalid${where(first)}: ${first.message}`
      : `The policy set has ${problems.length} problems; see errors[].`,
    { errors },
  );
};
