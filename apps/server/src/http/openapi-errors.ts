/**
 * The error half of each route's OpenAPI entry, made in one place when the description is generated (issue 10
 * point 9, ADR 0039): every error a route can answer with is declared, each with an example problem document
 * rendered by the code that renders real ones. A route declares its own statuses and codes
 * (`problemResponses` in contracts); the refusals this adapter makes before any route runs are added for every
 * route they apply to: 401/403/429 under /v1 (authentication, authorization, admission), 422 for any validated
 * input, 400/413/415 for a body. A status the route names no code for shows the catalogue's general one.
 */
import { PROBLEM_CODES_KEY, type ProblemCodes, problemResponses } from '@sprintconnect/contracts';
import { ERRORS, type ErrorCode } from './error-catalogue.ts';
import { problemDocument } from './problem.ts';

/** The catalogue's general code for each status, shown where a route names none. */
const GENERAL: Readonly<Record<number, ErrorCode>> = Object.freeze({
  400: 'malformed_json',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  431: 'headers_too_large',
  500: 'internal',
  502: 'sso_provider_unavailable',
  503: 'database_unavailable',
});

/** What the examples say; a code not listed here says its catalogue title. */
const DETAIL: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Send an API key or an access token as `Authorization: Bearer <token>`.',
  forbidden: 'Not allowed: the caller lacks the permission this request needs.',
  not_found: 'Nothing with this id in this organization.',
  rate_limited: 'Too many requests; retry after 1 s.',
  malformed_json: 'The body is not valid JSON.',
  payload_too_large: 'The request body is larger than the 1 MiB limit.',
  unsupported_media_type: 'Send the body as application/json.',
  validation_failed: 'The request has 1 invalid field(s).',
};

const EXAMPLE_ID = '0190a6f0-0000-7000-8000-000000000000';
const EXAMPLE_REQUEST_ID = '0190a6f0-1111-7000-8000-000000000001';
const MEDIA_TYPE = 'application/problem+json';

interface RouteSchema {
  hide?: boolean;
  body?: unknown;
  querystring?: unknown;
  params?: unknown;
  response?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The refusals the adapter makes for this route before its handler runs. */
function adapterRefusals(url: string, schema: RouteSchema): ProblemCodes {
  const out: Record<number, ErrorCode[]> = {};
  const add = (status: number, code: ErrorCode) => {
    out[status] = [...(out[status] ?? []), code];
  };
  if (url === '/v1' || url.startsWith('/v1/')) {
    add(401, 'unauthenticated');
    add(403, 'forbidden');
    add(429, 'rate_limited');
  }
  if (schema.body !== undefined) {
    add(400, 'malformed_json');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) {
    add(422, 'validation_failed');
  }
  return out;
}

const isError = (status: string) => /^[45]\d\d$/.test(status);

/** A field error of each place input is validated, as the validator words it. */
const FIELD_ERROR = {
  body: { location: 'body', pointer: '/name', detail: 'must NOT have fewer than 1 characters' },
  query: { location: 'query', pointer: '/limit', detail: 'must be integer' },
  path: { location: 'path', pointer: '/id', detail: 'must be a UUID' },
} as const;

function example(code: string, status: number, instance: string, schema: RouteSchema) {
  // A code the catalogue lacks is shown as it is named, for the OpenAPI test to refuse (openapi-errors test).
  if (!Object.hasOwn(ERRORS, code)) return { summary: code, value: { code, status } };
  const known = code as ErrorCode;
  const where = schema.body !== undefined ? 'body' : schema.querystring !== undefined ? 'query' : 'path';
  const value = problemDocument({
    code: known,
    detail: DETAIL[known] ?? `${ERRORS[known].title}.`,
    instance,
    requestId: EXAMPLE_REQUEST_ID,
    errors: known === 'validation_failed' ? [{ ...FIELD_ERROR[where] }] : undefined,
  });
  return { summary: value.title, value };
}

/**
 * `@fastify/swagger`'s `transform`: the route's schema as the OpenAPI description shows it, with its error
 * responses completed and exemplified. Serialization keeps the route's own schema.
 */
export function describeErrors<S>({ schema, url }: { schema: S; url: string }): { schema: S; url: string } {
  const s = schema as RouteSchema | undefined;
  if (s === undefined || s === null || s.hide === true) return { schema, url };
  const declared: ProblemCodes[] = Object.entries(s.response ?? {})
    .filter(([status]) => isError(status))
    .map(([status, r]) => ({
      [Number(status)]: ((r as Record<string, unknown>)[PROBLEM_CODES_KEY] as string[] | undefined) ?? [],
    }));
  const merged = problemResponses(...declared, adapterRefusals(url, s)) as Record<
    number,
    Record<string, unknown>
  >;
  const instance = url.replace(/:[A-Za-z]+/g, EXAMPLE_ID);
  const response: Record<string, unknown> = { ...s.response };
  for (const [status, r] of Object.entries(merged)) {
    const named = (r[PROBLEM_CODES_KEY] as string[] | undefined) ?? [];
    const general = GENERAL[Number(status)];
    const codes: string[] = named.length > 0 ? named : general === undefined ? [] : [general];
    response[status] = {
      description: r.description,
      content: {
        [MEDIA_TYPE]: {
          schema: { $ref: 'Problem' },
          examples: Object.fromEntries(codes.map((c) => [c, example(c, Number(status), instance, s)])),
        },
      },
    };
  }
  return { schema: { ...s, response } as S, url };
}
