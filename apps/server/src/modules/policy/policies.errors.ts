import type { FieldError } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';

export const policyNotFound = (id: string) =>
  new AppError('policy_not_found', `No policy ${id} in this organization.`);

export const policyNameTaken = (name: string) =>
  new AppError('policy_name_taken', `A policy named "${name}" already exists in this organization.`, {
    errors: [{ pointer: '/name', detail: 'already used' }],
  });

export const policyVersionNotFound = (n: number) =>
  new AppError('policy_version_not_found', `The organization's policy set has no version ${n}.`);

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
  return new AppError(
    'policy_invalid',
    problems.length === 1 && first !== undefined
      ? `The policy "${first.policy}" is invalid${where(first)}: ${first.message}`
      : `The policy set has ${problems.length} problems; see errors[].`,
    { errors },
  );
};
