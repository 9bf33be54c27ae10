import type { FastifyError, FastifyRequest } from 'fastify';
import type { FieldError } from '../kernel/index.ts';
import { isAppError } from '../kernel/index.ts';
import { isDatabaseUnavailable } from '../platform/db/index.ts';
import { ERRORS, type ErrorCode, isErrorCode } from './error-catalogue.ts';
import { errorHeaders } from './problem-headers.ts';

/**
 * Errors leave here (ADR 0034): a code becomes its status and title from the assembled catalogue, and what the
 * error carries as data (a challenge, the limits, a wait) becomes its headers. Modules never write either.
 */

/**
 * How long a client should wait before retrying while the database is away: the supervisor restarts the embedded
 * server in about a second, and a managed database's failover takes tens of seconds (ADR 0021).
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  errors?: {
    location: string;
    pointer: string;
    detail: string;
    policy?: string;
    line?: number;
    column?: number;
  }[];
  links?: Record<string, string>;
}

export interface RenderedProblem {
  status: number;
  body: ProblemBody;
  headers: Record<string, string>;
}

/** The RFC 9457 document for `code`; also what the OpenAPI examples show (openapi-errors.ts). */
export function problemDocument(p: {
  code: ErrorCode;
  detail: string;
  instance: string;
  requestId: string;
  errors?: ProblemBody['errors'] | undefined;
}): ProblemBody {
  const { status, title } = ERRORS[p.code];
  const body: ProblemBody = {
    type: `https://sprintconnect.dev/problems/${p.code}`,
    title,
    status,
    detail: p.detail,
    instance: p.instance,
    code: p.code,
    requestId: p.requestId,
  };
  if (p.errors !== undefined) body.errors = p.errors;
  return body;
}

export function problem(
  req: FastifyRequest,
  code: ErrorCode,
  detail: string,
  errors?: ProblemBody['errors'],
  headers: Record<string, string> = {},
): RenderedProblem {
  const body = problemDocument({
    code,
    detail,
    instance: req.url.split('?')[0] ?? req.url,
    requestId: String(req.id),
    errors,
  });
  return { status: body.status, body, headers };
}

type AjvError = { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> };

function fieldErrors(e: FastifyError): ProblemBody['errors'] {
  const context = (e as { validationContext?: string }).validationContext ?? 'body';
  const location =
    context === 'querystring'
      ? 'query'
      : context === 'params'
        ? 'path'
        : context === 'headers'
          ? 'header'
          : 'body';
  const list = ((e as { validation?: AjvError[] }).validation ?? []).map((v) => {
    let pointer = v.instancePath;
    let detail = v.message ?? 'is invalid';
    if (v.keyword === 'required') pointer += `/${String(v.params.missingProperty)}`;
    if (v.keyword === 'additionalProperties') {
      pointer += `/${String(v.params.additionalProperty)}`;
      detail = 'is not a known field';
    }
    if (v.keyword === 'format' && v.params.format === 'uuid') detail = 'must be a UUID';
    return { location, pointer: pointer === '' ? '/' : pointer, detail };
  });
  // anyOf/oneOf produce one error per branch; keep one line per pointer so the list reads well.
  return list.filter((x, i) => list.findIndex((y) => y.pointer === x.pointer) === i);
}

/** Every error leaves as RFC 9457 problem+json; unknown errors become a 500 with no internals. */
export function toProblem(err: unknown, req: FastifyRequest): RenderedProblem {
  if (isAppError(err) && isErrorCode(err.code)) {
    const errors = err.errors?.map((f: FieldError) => ({
      location: f.location ?? 'body',
      pointer: f.pointer,
      detail: f.detail,
      ...(f.policy === undefined ? {} : { policy: f.policy }),
      ...(f.line === undefined ? {} : { line: f.line }),
      ...(f.column === undefined ? {} : { column: f.column }),
    }));
    const p = problem(req, err.code, err.detail, errors, errorHeaders(err));
    if (err.links !== undefined) p.body.links = { ...err.links };
    // Extension members never replace a standard one.
    if (err.extensions !== undefined) p.body = { ...err.extensions, ...p.body };
    return p;
  }
  const fe = err as FastifyError;
  if (fe.validation !== undefined) {
    const errors = fieldErrors(fe);
    return problem(
      req,
      'validation_failed',
      `The request has ${errors?.length ?? 1} invalid field(s).`,
      errors,
    );
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(req, 'payload_too_large', 'The request body is larger than the 1 MiB limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(req, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(req, 'malformed_json', 'The body is empty; send a JSON object or omit Content-Type.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(req, 'malformed_json', 'The body is not valid JSON.');
    // Router-level errors (Fastify `frameworkErrors`), raised before any hook runs.
    case 'FST_ERR_BAD_URL':
      return problem(req, 'malformed_url', 'The path has a malformed percent-escape or is not UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem(req, 'uri_too_long', 'A path parameter is longer than 100 characters.');
    default:
      if (isDatabaseUnavailable(err))
        return problem(
          req,
          'database_unavailable',
          'The database cannot be reached just now; retry in a few seconds.',
          undefined,
          { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
        );
      if (fe.statusCode === 400 && fe instanceof SyntaxError)
        return problem(req, 'malformed_json', 'The body is not valid JSON.');
      if (fe.statusCode === 413) return problem(req, 'payload_too_large', 'The request body is too large.');
      if (fe.statusCode === 415)
        return problem(req, 'unsupported_media_type', 'Send the body as application/json.');
      if (fe.statusCode === 429) return problem(req, 'rate_limited', fe.message);
      return problem(
        req,
        'internal',
        `Something went wrong on our side; quote request id ${String(req.id)}.`,
      );
  }
}
