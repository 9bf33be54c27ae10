/**
 * Issue 10 point 9: every route's OpenAPI entry declares the errors it can answer with, each with an example
 * problem body (a response example, not a request example) whose `code` is a catalogue code of that status.
 * The earlier test looked at one route and found its request body's example.
 */
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ProblemSchema } from '@sprintconnect/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { ERRORS, type ErrorCode } from './error-catalogue.ts';

interface Operation {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<
    string,
    { content?: Record<string, { examples?: Record<string, { value: Record<string, unknown> }> }> }
  >;
}

// The Problem schema's `type` is a URI reference (RFC 3986 §4.1): here, anything URL can resolve.
if (!FormatRegistry.Has('uri-reference')) {
  FormatRegistry.Set('uri-reference', (v) => URL.canParse(v, 'https://sprintconnect.dev/'));
}

let t: TestApp;
let operations: { name: string; path: string; method: string; op: Operation }[];

beforeAll(async () => {
  t = await startTestApp();
  const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  operations = Object.entries(spec.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        name: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op,
      })),
  );
});
afterAll(() => t.stop());

const errorStatuses = (op: Operation) => Object.keys(op.responses).filter((s) => /^[45]\d\d$/.test(s));

describe('error responses in the OpenAPI description', () => {
  it('gives every error response of every route an example problem whose code is a catalogue code of that status', async () => {
    expect(operations.length).toBeGreaterThan(50);
    const problems: string[] = [];
    let examples = 0;
    for (const { name, op } of operations) {
      for (const status of errorStatuses(op)) {
        const media = op.responses[status]!.content?.['application/problem+json'];
        const found = Object.entries(media?.examples ?? {});
        if (found.length === 0) problems.push(`${name} ${status}: no example problem`);
        for (const [key, { value }] of found) {
          examples += 1;
          const info = ERRORS[value.code as ErrorCode] as (typeof ERRORS)[ErrorCode] | undefined;
          if (info === undefined) problems.push(`${name} ${status}: ${key} is not a catalogue code`);
          else if (info.status !== Number(status))
            problems.push(`${name} ${status}: ${key} is a ${info.status} code`);
          else if (
            !Value.Check(ProblemSchema, value) ||
            value.status !== info.status ||
            value.title !== info.title
          )
            problems.push(`${name} ${status}: ${key} is not a problem document of its code`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThan(operations.length * 3);
  });

  it('declares 401 and 403 on every /v1 route, 422 on every route taking input, 404 on every route with an id in its path', async () => {
    const missing: string[] = [];
    for (const { name, path, op } of operations) {
      const has = new Set(errorStatuses(op));
      const need = [
        ...(path.startsWith('/v1/') ? ['401', '403'] : []),
        ...(op.requestBody !== undefined || (op.parameters ?? []).some((p) => p.in !== 'header')
          ? ['422']
          : []),
        ...(/\{[^}]+\}/.test(path) ? ['404'] : []),
      ];
      for (const s of need) if (!has.has(s)) missing.push(`${name} ${s}`);
    }
    expect(missing).toEqual([]);
  });

  it('shows the codes a route names, its modules’ (Idempotency-Key on POST) and the adapter’s, not a general one', async () => {
    const codes = (name: string, status: string) =>
      Object.keys(
        operations.find((o) => o.name === name)!.op.responses[status]?.content?.['application/problem+json']
          ?.examples ?? {},
      ).sort();
    expect(codes('PATCH /v1/servers/{id}', '404')).toEqual(['server_not_found']);
    expect(codes('PATCH /v1/servers/{id}', '409')).toEqual(['quota_exceeded', 'server_name_taken']);
    expect(codes('PATCH /v1/servers/{id}', '422')).toEqual([
      'egress_denied_by_org_policy',
      'port_not_allowed',
      'url_not_allowed',
      'validation_failed',
    ]);
    expect(codes('PATCH /v1/servers/{id}', '401')).toEqual(['unauthenticated']);
    expect(codes('POST /v1/servers', '400')).toEqual(['idempotency_key_invalid', 'malformed_json']);
    expect(codes('POST /v1/servers', '409')).toEqual([
      'idempotency_key_in_flight',
      'quota_exceeded',
      'server_name_taken',
    ]);
    expect(codes('GET /v1/jobs/{id}', '404')).toEqual(['job_not_found']);
  });
});
