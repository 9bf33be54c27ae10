import { type Static, Type } from '@sinclair/typebox';

/** RFC 9457 problem details, with our stable `code` and per-field `errors` for 422. */
export const FieldErrorSchema = Type.Object({
  location: Type.Union([
    Type.Literal('body'),
    Type.Literal('query'),
    Type.Literal('path'),
    Type.Literal('header'),
  ]),
  pointer: Type.String({ description: 'JSON Pointer (RFC 6901) into the location' }),
  detail: Type.String(),
  policy: Type.Optional(
    Type.String({ description: 'policy_invalid: the name of the policy the problem is in' }),
  ),
  line: Type.Optional(Type.Integer({ description: 'policy_invalid: 1-based line in the policy text' })),
  column: Type.Optional(Type.Integer({ description: 'policy_invalid: 1-based column in the policy text' })),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri-reference' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code (see docs/errors.md)' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
    links: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Where to go next, e.g. `login`: the URL to sign in again',
      }),
    ),
    rateClass: Type.Optional(
      Type.String({
        description: 'On `rate_limited` by a policy throttle: the rate class it holds the caller to',
      }),
    ),
    decisionId: Type.Optional(
      Type.String({
        description: 'On `forbidden` from a policy decision: the id its decision log line carries',
      }),
    ),
    required: Type.Optional(
      Type.String({
        description: 'On `forbidden`: the permission (or, for an API key, the scope) that was needed',
      }),
    ),
    quota: Type.Optional(
      Type.Object(
        {
          name: Type.String(),
          limit: Type.Integer(),
          used: Type.Integer(),
          resetsAt: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { description: 'On `quota_exceeded`: which quota, its limit and current usage (see /v1/quotas)' },
      ),
    ),
    budget: Type.Optional(
      Type.Object(
        {
          unit: Type.String(),
          month: Type.String(),
          limit: Type.Integer(),
          used: Type.Integer(),
          resetsAt: Type.String({ format: 'date-time' }),
        },
        { description: 'On `budget_exhausted`: the monthly budget and its usage (see /v1/budget)' },
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);
export type Problem = Static<typeof ProblemSchema>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed request',
  401: 'Missing, invalid or expired credentials',
  403: 'The caller lacks the permission named in the problem',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body larger than the limit',
  415: 'Body is not application/json',
  422: 'Validation failed; `errors` lists each field',
  429: 'Rate limited; see Retry-After',
  502: 'An upstream service did not answer usefully',
  503: 'Unavailable for now; see Retry-After',
};

/**
 * Where a route's error responses name the codes it answers with (`docs/errors.md`), by status: `{ 404:
 * ['server_not_found'] }`. The server's OpenAPI description shows an example problem for each (ADR 0039).
 */
export type ProblemCodes = Readonly<Record<number, readonly string[]>>;

/** The schema member that carries a status's codes to the OpenAPI description; ignored by serialization. */
export const PROBLEM_CODES_KEY = 'x-problem-codes';

/**
 * Error responses for a route's OpenAPI description, all RFC 9457 problem documents: statuses, and statuses
 * with the codes the route answers with. A status without codes is shown with the catalogue's general code for
 * it (404 `not_found`).
 */
export function problemResponses(...items: (number | ProblemCodes)[]) {
  const codes = new Map<number, string[]>();
  for (const item of items) {
    if (typeof item === 'number') {
      if (!codes.has(item)) codes.set(item, []);
      continue;
    }
    for (const [s, named] of Object.entries(item)) {
      codes.set(Number(s), [...(codes.get(Number(s)) ?? []), ...named]);
    }
  }
  const out: Record<number, unknown> = {};
  for (const [s, named] of codes) {
    out[s] = {
      ...Type.Ref('Problem'),
      description: STATUS_TEXT[s] ?? 'Error',
      ...(named.length > 0 ? { [PROBLEM_CODES_KEY]: [...new Set(named)] } : {}),
    };
  }
  return out;
}
