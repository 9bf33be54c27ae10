import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { type Ctx, TENANT_FIXTURES, type TenantFixture } from '../../../test/tenant-fixtures.ts';
import { onTenantGuardMiss, type TenantGuardMiss } from '../../platform/db/index.ts';

/**
 * Story 8.5, generically: every operation of `/openapi.json` with a path parameter is called as org B with the
 * ids of org A's resources (made through the API), with random ids and with malformed ids. Each call must be a 404
 * (never a 403, which would tell that the id exists, never a 2xx, never a 5xx), and org A's resources must read
 * the same afterwards. A route whose parameter has no fixture in test/tenant-fixtures.ts fails the walk, so a new
 * resource type is covered the day its route appears.
 */
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  readonly method: Method;
  readonly path: string;
  /** Path parameters in order, each with the fixture key (the path up to and including it). */
  readonly params: readonly { name: string; key: string }[];
  readonly body: unknown;
  /** Required query parameters, filled from their example or type, so validation never answers first. */
  readonly query: string;
}

let t: TestApp;
let b: { orgId: string; auth: { authorization: string } };
let operations: Operation[];
/** Org A's resources: fixture key -> parameter value, plus the values of parent parameters. */
const aIds = new Map<string, { value: string; parent: Record<string, string> }>();
const misses: TenantGuardMiss[] = [];
let stopListening: () => void;

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function operationsOf(doc: { paths: Record<string, Record<string, OpenApiOp>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    if (names.length === 0) continue;
    const params = names.map((name) => ({
      name,
      key: path.slice(0, path.indexOf(`{${name}}`) + name.length + 2),
    }));
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase() as Method;
      if (!METHODS.includes(method)) continue;
      const json = op.requestBody?.content?.['application/json'];
      // One example is published as `example`, several as named `examples` (OpenAPI 3.1 media type object).
      const named = json?.examples === undefined ? undefined : Object.values(json.examples)[0]?.value;
      const body =
        json === undefined ? undefined : (json.example ?? named ?? json.schema?.examples?.[0] ?? {});
      const query = (op.parameters ?? [])
        .filter((p) => p.in === 'query' && p.required === true)
        .map(
          (p, i) =>
            `${p.name}=${encodeURIComponent(String(p.example ?? p.schema?.example ?? sample(p.schema, i)))}`,
        )
        .join('&');
      out.push({ method, path, params, body, query: query === '' ? '' : `?${query}` });
    }
  }
  return out;
}

/** A value of the type; distinct per parameter (`from=1&to=2`), as two of one kind usually must be. */
const sample = (schema: { type?: string; minimum?: number } | undefined, i: number): string | number =>
  schema?.type === 'integer' || schema?.type === 'number' ? (schema.minimum ?? 1) + i : `x${i}`;

interface OpenApiOp {
  parameters?: {
    in: string;
    name: string;
    required?: boolean;
    example?: unknown;
    schema?: { type?: string; minimum?: number; example?: unknown };
  }[];
  requestBody?: {
    content?: Record<
      string,
      { example?: unknown; examples?: Record<string, { value?: unknown }>; schema?: { examples?: unknown[] } }
    >;
  };
}

const fixtureOf = (key: string): TenantFixture | undefined => TENANT_FIXTURES[key];
const isTenant = (f: TenantFixture | undefined): f is Extract<TenantFixture, { create: unknown }> =>
  f !== undefined && 'create' in f;

/** The operations whose every parameter names a tenant resource (the others are left alone, with a reason). */
const tenantOperations = () => operations.filter((op) => op.params.every((p) => isTenant(fixtureOf(p.key))));

function urlFor(op: Operation, pick: (p: { name: string; key: string }) => string): string {
  let url = op.path;
  for (const p of op.params) url = url.replace(`{${p.name}}`, encodeURIComponent(pick(p)));
  return url + op.query;
}

async function call(op: Operation, url: string, auth: { authorization: string }) {
  const res = await t.app.inject({
    method: op.method,
    url,
    headers: auth,
    ...(op.body === undefined ? {} : { payload: op.body as object }),
  });
  return {
    status: res.statusCode,
    body: res.body,
    code: res.statusCode >= 400 ? res.json().code : undefined,
  };
}

/** What org A's resources look like from org A: every GET with A's ids, and every list. */
async function snapshotA(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const op of operations.length === 0 ? [] : tenantOperations()) {
    if (op.method !== 'GET') continue;
    const url = urlFor(op, (p) => aIds.get(p.key)!.value);
    out[url] = stable(url, (await t.app.inject({ method: 'GET', url, headers: t.auth })).body);
  }
  return out;
}

/**
 * Fields that change by themselves: usage counters, the last use of the key taking the snapshot, request ids,
 * and a job's progress (the fixture's discovery job retries on its own).
 */
const VOLATILE = /^(lastUsedAt|used|remaining|usage|resetAt|requestId)$/;
const JOB_PROGRESS =
  /^(state|stage|progress|attempts|startedAt|finishedAt|estimatedCompletionAt|nextAttemptAt|error|result)$/;
function stable(url: string, body: string): string {
  const job = url.startsWith('/v1/jobs/');
  try {
    return JSON.stringify(JSON.parse(body), (k, v) =>
      VOLATILE.test(k) || (job && JOB_PROGRESS.test(k)) ? undefined : v,
    );
  } catch {
    return body;
  }
}

beforeAll(async () => {
  t = await startTestApp({
    env: {
      SPRINTCONNECT_API_KEY_RATE_LIMIT: '1000000',
      SPRINTCONNECT_ORG_RATE_LIMIT: '1000000',
      SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32',
    },
  });
  b = await t.newOrg(`org-b-${randomUUID().slice(0, 6)}`);
  stopListening = onTenantGuardMiss((m) => misses.push(m));
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  operations = operationsOf(doc);
}, 60_000);
afterAll(async () => {
  stopListening?.();
  await t?.stop();
});

describe('the tenant fixture table', () => {
  it('covers every path parameter of the API: a new {id} route without a fixture fails here', () => {
    const keys = new Set(operations.flatMap((op) => op.params.map((p) => p.key)));
    const missing = [...keys].filter((k) => fixtureOf(k) === undefined);
    expect(missing, 'add these to test/tenant-fixtures.ts').toEqual([]);
    expect(keys.size).toBeGreaterThanOrEqual(6);
  });

  it('lists no fixture that the API no longer has', () => {
    const keys = new Set(operations.flatMap((op) => op.params.map((p) => p.key)));
    expect(Object.keys(TENANT_FIXTURES).filter((k) => !keys.has(k))).toEqual([]);
  });
});

describe('cross-org reads, writes and id guessing on every resource type', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    // One resource of each type in org A, parents first (a key's parents are its prefixes).
    const keys = [...new Set(tenantOperations().flatMap((op) => op.params.map((p) => p.key)))].sort(
      (x, y) => x.length - y.length,
    );
    for (const key of keys) {
      const fixture = fixtureOf(key);
      if (!isTenant(fixture)) continue;
      const parent: Record<string, string> = {};
      for (const [k, v] of aIds)
        if (key.startsWith(`${k}/`)) Object.assign(parent, v.parent, { [k]: v.value });
      const ctx: Ctx = { t, orgId: t.orgId, auth: t.auth, parent };
      aIds.set(key, { value: await fixture.create(ctx), parent });
    }
    before = await snapshotA();
  }, 60_000);

  it("org A's resources are readable by org A (the control)", async () => {
    // A resource's own GET finds it; a sub-resource may not exist yet (capabilities before any discovery).
    const gets = tenantOperations().filter((op) => op.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    for (const op of gets) {
      const url = urlFor(op, (p) => aIds.get(p.key)!.value);
      const res = await t.app.inject({ method: 'GET', url, headers: t.auth });
      const own = op.path === op.params.at(-1)!.key;
      if (own) expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      else expect(res.statusCode, `${url}: ${res.body}`).toBeOneOf([200, 404]);
    }
  });

  it("every operation answers org B 404 for org A's ids, and org A's data is unchanged", async () => {
    const wrong: string[] = [];
    for (const op of tenantOperations()) {
      const url = urlFor(op, (p) => aIds.get(p.key)!.value);
      const r = await call(op, url, b.auth);
      if (r.status !== 404) wrong.push(`${op.method} ${url} -> ${r.status} ${r.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshotA()).toEqual(before);
  });

  it('every operation answers 404 for a random id, to org A and to org B alike', async () => {
    const wrong: string[] = [];
    for (const op of tenantOperations()) {
      for (const auth of [t.auth, b.auth]) {
        // The last parameter guessed; the ones before it are A's real ones (for A) or A's (for B): 404 either way.
        const last = op.params.at(-1)!;
        const fixture = fixtureOf(last.key) as { randomId?: () => string };
        const url = urlFor(op, (p) =>
          p === last ? (fixture.randomId?.() ?? randomUUID()) : aIds.get(p.key)!.value,
        );
        const r = await call(op, url, auth);
        if (r.status !== 404) wrong.push(`${op.method} ${url} -> ${r.status} ${r.body.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshotA()).toEqual(before);
  });

  it('a malformed id is never a 2xx, a 403 or a 5xx', async () => {
    const wrong: string[] = [];
    for (const op of tenantOperations()) {
      for (const bad of ['not-an-id', "1' OR '1'='1", '..', '0'.repeat(300)]) {
        const r = await call(
          op,
          urlFor(op, () => bad),
          b.auth,
        );
        if (r.status < 400 || r.status === 403 || r.status >= 500)
          wrong.push(`${op.method} ${op.path} [${bad.slice(0, 20)}] -> ${r.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lists answer org B without any of org A's ids", async () => {
    const lists = operations.length === 0 ? [] : await listRoutes();
    expect(lists.length).toBeGreaterThan(3);
    const ids = [...aIds.values()].map((v) => v.value);
    for (const url of lists) {
      const res = await t.app.inject({ method: 'GET', url, headers: b.auth });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
      for (const id of ids) expect(res.body, `${url} shows ${id}`).not.toContain(id);
    }
  });

  it('logs the cross-org attempt as such, and a random id as absent', () => {
    const server = aIds.get('/v1/servers/{id}')!.value;
    expect(misses).toContainEqual(
      expect.objectContaining({ table: 'servers', orgId: b.orgId, id: server, reason: 'other_org' }),
    );
    expect(misses.some((m) => m.table === 'servers' && m.reason === 'absent')).toBe(true);
  });
});

async function listRoutes(): Promise<string[]> {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([path, ops]) => path.startsWith('/v1/') && !path.includes('{') && 'get' in ops)
    .map(([path]) => path);
}
