import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { APP_ROLE } from '../../platform/db/index.ts';

/**
 * Issue 8, point 19 (ADR 0026): which answers are kept for replay, hostile keys, secrets in stored answers,
 * the purge of expired keys, and the header in the OpenAPI description.
 */
const CRON_SECRET = 'idempotency-cron-secret-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { CRON_SECRET } });
});
afterAll(() => t.stop());

type Org = { orgId: string; key: string; auth: { authorization: string } };
let orgs = 0;
const newOrg = (): Promise<Org> => t.newOrg(`idem-answers-${++orgs}`);
const server = (name: string, autoDiscover = false) => ({
  name,
  url: `https://${name}.idem.example/mcp`,
  autoDiscover,
});
const post = (org: Org, url: string, key: string | string[] | undefined, payload?: unknown) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...org.auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
const setQuota = (org: Org, name: string, limit: number) =>
  t.app.inject({ method: 'PUT', url: `/v1/quotas/${name}`, headers: org.auth, payload: { limit } });
const count = async (table: 'servers' | 'idempotency_keys', orgId: string) =>
  Number(
    (await t.database.adminPool.query(`SELECT count(*) AS n FROM ${table} WHERE org_id = $1`, [orgId]))
      .rows[0].n,
  );

describe('which answers are kept', () => {
  it('a 5xx is not kept: after the fault is gone, the retry with the same key runs and succeeds', async () => {
    const org = await newOrg();
    const key = randomUUID();
    // A real fault: the runtime role may not insert servers for a moment.
    await t.database.adminPool.query(`REVOKE INSERT ON servers FROM ${APP_ROLE}`);
    let failed: Awaited<ReturnType<typeof post>>;
    try {
      failed = await post(org, '/v1/servers', key, server('flaky'));
    } finally {
      await t.database.adminPool.query(`GRANT INSERT ON servers TO ${APP_ROLE}`);
    }
    expect(failed.statusCode).toBe(500);
    expect(await count('idempotency_keys', org.orgId)).toBe(0);
    const retried = await post(org, '/v1/servers', key, server('flaky'));
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('servers', org.orgId)).toBe(1);
  });

  it('a 4xx is kept: the same request gets the same refusal, even after its cause is gone', async () => {
    const org = await newOrg();
    await setQuota(org, 'servers', 0);
    const key = randomUUID();
    const refused = await post(org, '/v1/servers', key, server('over'));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('quota_exceeded');
    await setQuota(org, 'servers', 10);
    const replayed = await post(org, '/v1/servers', key, server('over'));
    expect(replayed.statusCode).toBe(409);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json()).toEqual(refused.json());
    // A new attempt takes a new key.
    expect((await post(org, '/v1/servers', randomUUID(), server('over'))).statusCode).toBe(201);
  });

  it('an answer that says "retry later" (Retry-After) is not kept: the retry runs once the wait is over', async () => {
    const org = await newOrg();
    await setQuota(org, 'discoveries_per_day', 0);
    const key = randomUUID();
    const later = await post(org, '/v1/servers', key, server('tomorrow', true));
    expect(later.statusCode).toBe(409);
    expect(later.headers['retry-after']).toBeDefined();
    await setQuota(org, 'discoveries_per_day', 5);
    const retried = await post(org, '/v1/servers', key, server('tomorrow', true));
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a created API key is replayed to its creator with the same secret, which is stored sealed, not in clear', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const body = { name: 'ci', scopes: ['read'] };
    const first = await post(org, '/v1/api-keys', key, body);
    expect(first.statusCode).toBe(201);
    const again = await post(org, '/v1/api-keys', key, body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers['cache-control']).toBe('no-store');
    const token = first.json().token as string;
    expect(token).toMatch(/^sck_/);
    const { rows } = await t.database.adminPool.query(
      'SELECT response FROM idempotency_keys WHERE org_id = $1',
      [org.orgId],
    );
    expect(rows).toHaveLength(1);
    expect((rows[0].response as Buffer).includes(Buffer.from(token))).toBe(false);
    expect((rows[0].response as Buffer).includes(Buffer.from(token.slice(4, 20)))).toBe(false);
  });
});

describe('hostile Idempotency-Key values', () => {
  const bad = [
    '',
    'x'.repeat(256),
    'has space',
    'semi;colon',
    '"unbalanced',
    'quote"inside',
    'ünïcode',
    'a, b',
    "' OR 1=1 --",
  ];
  it.each(bad)(
    '%j is refused with 400 idempotency_key_invalid (problem+json) and changes nothing',
    async (value) => {
      const org = await newOrg();
      const res = await post(org, '/v1/servers', value, server('hostile'));
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({
        code: 'idempotency_key_invalid',
        errors: [{ location: 'header', pointer: '/idempotency-key' }],
      });
      expect(await count('servers', org.orgId)).toBe(0);
      expect(await count('idempotency_keys', org.orgId)).toBe(0);
    },
  );

  it('a 255-character key and the quoted form of the draft (an sf-string) are accepted, quoted = unquoted', async () => {
    const org = await newOrg();
    const long = 'k'.repeat(255);
    expect((await post(org, '/v1/servers', long, server('long'))).statusCode).toBe(201);
    const first = await post(org, '/v1/servers', 'order-42:try/1+x=', server('quoted'));
    expect(first.statusCode).toBe(201);
    const quoted = await post(org, '/v1/servers', '"order-42:try/1+x="', server('quoted'));
    expect(quoted.statusCode).toBe(201);
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(quoted.json().id).toBe(first.json().id);
  });
});

describe('expired keys', () => {
  it('are deleted by the scheduled job idempotency-key-purge; keys within 24 hours stay', async () => {
    const org = await newOrg();
    const [old, fresh] = [randomUUID(), randomUUID()];
    expect((await post(org, '/v1/servers', old, server('old'))).statusCode).toBe(201);
    expect((await post(org, '/v1/servers', fresh, server('fresh'))).statusCode).toBe(201);
    await t.database.adminPool.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE org_id = $1 AND key = $2`,
      [org.orgId, old],
    );
    const run = await t.app.inject({
      method: 'POST',
      url: '/api/cron/idempotency-key-purge',
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(run.statusCode).toBe(200);
    expect(run.json().result.deleted).toBeGreaterThanOrEqual(1);
    const { rows } = await t.database.adminPool.query('SELECT key FROM idempotency_keys WHERE org_id = $1', [
      org.orgId,
    ]);
    expect(rows.map((r) => r.key)).toEqual([fresh]);
  });
});

describe('the OpenAPI description', () => {
  it('documents the Idempotency-Key header parameter on every POST under /v1', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    const posts = Object.entries(doc.paths)
      .filter(([path, ops]) => path.startsWith('/v1/') && ops.post !== undefined)
      .map(([path, ops]) => ({
        path,
        documented: (ops.post!.parameters ?? []).some(
          (p) => p.in === 'header' && p.name === 'idempotency-key',
        ),
      }));
    expect(posts.map((p) => p.path)).toContain('/v1/servers');
    expect(posts.filter((p) => !p.documented)).toEqual([]);
  });
});
