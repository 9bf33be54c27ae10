import { AjvCompiler } from '@fastify/ajv-compiler';

type RouteDefinition = Parameters<ReturnType<ReturnType<typeof AjvCompiler>>>[0];
type Schema = Record<string, unknown>;

const shared = { removeAdditional: false, allErrors: true, useDefaults: true } as const;

/**
 * Strict JSON bodies, coerced query strings (issue 8, point 10; ADR 0023). A JSON body has types of its own:
 * `{"name":123}`, `{"autoDiscover":"false"}` or `{"tags":"demo"}` is a client bug, and coercing it hides the
 * bug (and turns `"false"` into `false` by luck, `"no"` into a 422 by surprise). A query string, a path
 * parameter or a header has only text, so there `?limit=20` must become 20 and `?tags=a` a one-item array.
 */
export function buildValidator(
  externalSchemas: Parameters<ReturnType<typeof AjvCompiler>>[0],
): (route: RouteDefinition) => ReturnType<ReturnType<ReturnType<typeof AjvCompiler>>> {
  const pool = AjvCompiler();
  const strict = pool(externalSchemas, { customOptions: { ...shared, coerceTypes: false } });
  const coercing = pool(externalSchemas, { customOptions: { ...shared, coerceTypes: 'array' } });
  return (route) => {
    if (route.httpPart === 'body') return strict(route);
    if (route.httpPart === 'headers')
      return coercing({ ...route, schema: lowerCaseHeaders(route.schema) as RouteDefinition['schema'] });
    return coercing(route);
  };
}

/**
 * Node lower-cases header names; Fastify lower-cases a headers schema to match, except for a custom compiler
 * (this one), so it is done here, as Fastify does, on the schema's own properties and required list.
 */
function lowerCaseHeaders(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Schema;
  const out: Schema = { ...s };
  if (Array.isArray(s.required)) out.required = s.required.map((n) => String(n).toLowerCase());
  if (s.properties !== null && typeof s.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(s.properties as Schema).map(([k, v]) => [k.toLowerCase(), v]),
    );
  }
  return out;
}
