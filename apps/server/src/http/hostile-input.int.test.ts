import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../test/test-principal.ts';

/**
 * Issue 8, point 6: input that reached Postgres unchecked was an authenticated 500. Every route is taken from
 * /openapi.json (a route added tomorrow is walked without editing this file), every string it accepts is sent
 * hostile, and each answer must be a 400/422 problem that changed no row.
 */
type Schema = { type?: string; properties?: Record<string, Schema>; examples?: unknown[] };
type Op = {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema; example?: unknown }> };
};

let t: TestApp;
let owner: { authorization: string };
let spec: { paths: Record<string, Record<string, Op>> };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_API_KEY_RATE_LIMIT: '100000', SPRINTCONNECT_ORG_RATE_LIMIT: '100000' },
    extraAuthenticators: [testPrincipalAuthenticator],
  });
  owner = (await userWithRoles(t.sc, t.orgId, 'hostile-owner@example.com', ['owner'])).as();
  spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const post = async (url: string, payload: Record<string, unknown>) => {
    const r = await t.app.inject({ method: 'POST', url, headers: owner, payload });
    expect(r.statusCode, `${url} ${r.body}`).toBe(201);
    return r.json().id as string;
  };
  // Real rows behind the path ids, so a hostile change reaches the database rather than a 404.
  ids.server = await post('/v1/servers', {
    name: 'target',
    url: 'https://mcp.example.com/mcp',
    autoDiscover: false,
  });
  ids.role = await post('/v1/roles', { name: 'target-role', permissions: ['servers:read'] });
  ids.policy = await post('/v1/policies', {
    name: 'target-policy',
    policy: 'permit (principal, action, resource);',
  });
});
afterAll(() => t.stop());

/** A value for a path parameter: a real row where one exists. */
function pathFor(path: string): string {
  return path
    .replace(/^\/v1\/servers\/\{id\}/, `/v1/servers/${ids.server}`)
    .replace(/^\/v1\/roles\/\{id\}/, `/v1/roles/${ids.role}`)
    .replace(/^\/v1\/policies\/\{id\}/, `/v1/policies/${ids.policy}`)
    .replace('{n}', '1')
    .replace('{name}', 'servers')
    .replace(/\{[^}]+\}/g, '0190a6f0-0000-7000-8000-000000000000');
}

/** Every row of every table the API writes, as one fingerprint (bookkeeping of each request aside). */
const BOOKKEEPING = new Set(['api_key_usage', 'rate_limits', 'quota_periods', 'usage_months']);
async function fingerprint(): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name`.execute(t.database.adminDb);
  const parts: string[] = [];
  for (const { table_name } of tables.rows.filter((r) => !BOOKKEEPING.has(r.table_name))) {
    const r = await sql<{ h: string | null }>`
      SELECT md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS h FROM ${sql.table(table_name)} x`.execute(
      t.database.adminDb,
    );
    parts.push(`${table_name}:${r.rows[0]?.h ?? ''}`);
  }
  return parts.join('\n');
}

/** Paths of every string in a JSON value (RFC 6901 tokens; our examples have no `/` or `~` in names). */
function stringLeaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'string') return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, [...at, i]));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, [...at, k]));
  return [];
}

function withValue(body: unknown, at: (string | number)[], value: string): unknown {
  if (at.length === 0) return value;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<
    string | number,
    unknown
  >;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  copy[head] = withValue(copy[head], rest, value);
  return copy;
}

/** The hostile strings: as JSON escapes (NUL, lone surrogate) and as raw bytes that are not UTF-8. */
const MARK = 'HOSTILE-MARK';
const VARIANTS: { name: string; encode: (json: string) => Buffer }[] = [
  { name: 'NUL', encode: (j) => Buffer.from(j.replace(MARK, 'a\\u0000b'), 'utf8') },
  { name: 'lone surrogate', encode: (j) => Buffer.from(j.replace(MARK, 'a\\ud800b'), 'utf8') },
  {
    name: 'invalid UTF-8 byte',
    encode: (j) => {
      const [a, b] = j.split(MARK) as [string, string];
      return Buffer.concat([Buffer.from(a), Buffer.from([0x61, 0xff, 0x62]), Buffer.from(b)]);
    },
  },
  {
    name: 'UTF-8-encoded surrogate',
    encode: (j) => {
      const [a, b] = j.split(MARK) as [string, string];
      return Buffer.concat([Buffer.from(a), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(b)]);
    },
  },
];

function bodyRoutes() {
  const out: { method: string; path: string; base: unknown; leaves: (string | number)[][] }[] = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['post', 'put', 'patch'].includes(method)) continue;
      const json = op.requestBody?.content?.['application/json'];
      if (json === undefined) continue;
      const base = (json.example ?? {}) as Record<string, unknown>;
      const leaves = stringLeaves(base);
      // String fields the example leaves out are sent too, one at a time.
      for (const [name, s] of Object.entries(json.schema?.properties ?? {}))
        if (!(name in base) && (s.type === 'string' || s.type === undefined)) leaves.push([name]);
      out.push({ method: method.toUpperCase(), path: pathFor(path), base, leaves });
    }
  }
  return out;
}

const isProblem = (r: { statusCode: number; headers: Record<string, unknown> }) =>
  (r.statusCode === 400 || r.statusCode === 422) &&
  String(r.headers['content-type']).startsWith('application/problem+json');

describe('hostile strings on every route of the API description', () => {
  it('refuses a NUL, a lone surrogate and bytes that are not UTF-8 in every string field of every JSON body, with a 400/422 problem, and changes no row', async () => {
    const routes = bodyRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const before = await fingerprint();
    const wrong: string[] = [];
    let sent = 0;
    for (const r of routes) {
      for (const at of r.leaves) {
        for (const v of VARIANTS) {
          const payload = v.encode(JSON.stringify(withValue(r.base, at, MARK)));
          const res = await t.app.inject({
            method: r.method as 'POST',
            url: r.path,
            headers: { ...owner, 'content-type': 'application/json' },
            payload,
          });
          sent++;
          if (!isProblem(res))
            wrong.push(`${r.method} ${r.path} /${at.join('/')} ${v.name} -> ${res.statusCode}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a NUL (%00) and an encoded lone surrogate (%ED%A0%80) in every string query and path parameter', async () => {
    const before = await fingerprint();
    const wrong: string[] = [];
    let sent = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'query' || p.in === 'path');
        for (const p of params) {
          for (const bad of ['a%00b', 'a%ED%A0%80b']) {
            const url =
              p.in === 'query'
                ? `${pathFor(path)}?${p.name}=${bad}`
                : pathFor(path.replace(`{${p.name}}`, bad));
            const res = await t.app.inject({ method: method.toUpperCase() as 'GET', url, headers: owner });
            sent++;
            if (!isProblem(res)) wrong.push(`${method.toUpperCase()} ${url} -> ${res.statusCode}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
    expect(await fingerprint()).toBe(before);
  });

  it('answers a body of invalid UTF-8 with 400 malformed_json and stores no U+FFFD in its place', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { ...owner, 'content-type': 'application/json' },
      payload: Buffer.concat([
        Buffer.from('{"name":"bad'),
        Buffer.from([0xff]),
        Buffer.from('","url":"https://mcp.example.com/mcp","autoDiscover":false}'),
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'malformed_json' });
    const list = await t.app.inject({ method: 'GET', url: '/v1/servers?q=bad', headers: owner });
    expect(list.json().items).toEqual([]);
  });

  it('names the field: 422 with the JSON pointer of a NUL or lone surrogate in a nested string', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: owner,
      payload: { name: 'ok', url: 'https://mcp.example.com/mcp', tags: ['fine', 'x\ud800'] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ location: 'body', pointer: '/tags/1', detail: expect.stringContaining('surrogate') }],
    });
  });
});

describe('tampered list cursors', () => {
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  const at = '2026-05-01T10:00:00.000Z';
  const uuid = '0190a6f0-0000-7000-8000-000000000000';
  const TAMPERED = [
    encode(['x', 'y']),
    encode([at, 'not-a-uuid']),
    encode(['a\u0000b', uuid]),
    encode([2 ** 31]),
    encode([-1]),
    encode(['1']),
    encode([at, uuid, 1]),
    encode({ createdAt: at }),
    Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]).toString('base64url'),
    'Zm9v',
    '!!!',
  ];

  it('answers every list endpoint of the API description with 422 problem+json naming /cursor, for every tampered cursor', async () => {
    const lists = Object.entries(spec.paths)
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'cursor'))
      .map(([path]) => pathFor(path));
    expect(lists).toEqual(
      expect.arrayContaining([
        '/v1/servers',
        '/v1/api-keys',
        '/v1/users',
        '/v1/roles',
        '/v1/policies',
        '/v1/discovery/servers',
      ]),
    );
    // A required query parameter (search's `capability`) gets its documented example: only the cursor is wrong.
    const required = (path: string) =>
      (Object.entries(spec.paths).find(([p]) => pathFor(p) === path)?.[1].get?.parameters ?? [])
        .filter((p) => p.in === 'query' && p.required === true)
        .map((p) => `${p.name}=${encodeURIComponent(String(p.schema.examples?.[0]))}&`)
        .join('');
    const wrong: string[] = [];
    for (const path of lists) {
      for (const cursor of TAMPERED) {
        const res = await t.app.inject({
          method: 'GET',
          url: `${path}?${required(path)}cursor=${encodeURIComponent(cursor)}`,
          headers: owner,
        });
        const body = res.json();
        if (
          res.statusCode !== 422 ||
          !String(res.headers['content-type']).startsWith('application/problem+json') ||
          body.errors?.[0]?.pointer !== '/cursor' ||
          body.errors?.[0]?.location !== 'query'
        )
          wrong.push(`${path} ${cursor} -> ${res.statusCode} ${body.code ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses timestamps Postgres cannot read (year 0, expanded years) in the cursors of /v1/servers and /v1/api-keys', async () => {
    for (const path of ['/v1/servers', '/v1/api-keys', '/v1/roles', '/v1/policies']) {
      for (const when of [
        '0000-01-01T00:00:00.000Z',
        '+010000-01-01T00:00:00.000Z',
        '2026-02-30T00:00:00.000Z',
      ]) {
        const res = await t.app.inject({
          method: 'GET',
          url: `${path}?cursor=${encode([when, uuid])}`,
          headers: owner,
        });
        expect(res.statusCode, `${path} ${when}`).toBe(422);
      }
    }
  });
});
