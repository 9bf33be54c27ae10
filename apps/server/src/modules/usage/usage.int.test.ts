import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { countQueries } from '../../../test/query-count.ts';
import type { UsageRecord } from './index.ts';

/**
 * Issue 11 point 8: every gateway call leaves a usage record, written in batches off the request path; GET
 * /v1/usage lists them and /v1/usage/summary sums them. The recorder's timer is an hour here, so records reach
 * the database only when a test flushes (or fills a batch), never on their own.
 */
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const SERVER_A = randomUUID();
const SERVER_B = randomUUID();

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ usageRecorder: { flushMs: 3_600_000, batchRows: 250, maxBuffered: 10_000 } });
});
afterAll(() => t.stop());

function record(orgId: string, over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    orgId,
    principalKind: 'api_key',
    principalId: 'key-1',
    endpoint: 'default',
    serverId: SERVER_A,
    tool: 'echo',
    latencyMs: 10,
    outcome: 'ok',
    bytesIn: 100,
    bytesOut: 1000,
    at: new Date('2026-11-02T10:00:00Z'),
    ...over,
  };
}

async function get(url: string, auth = t.auth) {
  const res = await t.app.inject({ method: 'GET', url, headers: auth });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

async function rowsOf(orgId: string): Promise<number> {
  const { rows } = await t.database.adminPool.query(
    'SELECT count(*)::int AS n FROM usage_records WHERE org_id = $1',
    [orgId],
  );
  return rows[0].n;
}

describe('usage records, written and read back', () => {
  let org: string;
  let auth: { authorization: string };
  beforeAll(async () => {
    ({ orgId: org, auth } = await t.newOrg('usage-sums'));
    const day1 = (h: number) => new Date(Date.UTC(2026, 10, 2, h));
    const day2 = (h: number) => new Date(Date.UTC(2026, 10, 3, h));
    // Server A, tool echo: latencies 10..100 (ten calls, one denied, one timeout), key-1.
    for (let i = 1; i <= 10; i++) {
      const outcome = i === 3 ? 'denied' : i === 7 ? 'timeout' : 'ok';
      t.sc.usage.recorder.record(
        record(org, { latencyMs: i * 10, outcome, at: day1(i), decisionId: i === 3 ? 'dec-3' : undefined }),
      );
    }
    // Server B, tool add: two calls by user u-9 through a virtual server, one an upstream error, on day 2.
    const viaLite = (over: Partial<UsageRecord>) =>
      record(org, { serverId: SERVER_B, tool: 'add', principalKind: 'user', principalId: 'u-9', ...over });
    t.sc.usage.recorder.record(
      viaLite({
        endpoint: 'tools-lite',
        latencyMs: 500,
        outcome: 'upstream_error',
        bytesIn: 7,
        bytesOut: 0,
        invocationClass: 'write',
        at: day2(1),
      }),
    );
    t.sc.usage.recorder.record(viaLite({ endpoint: 'tools-lite', latencyMs: 300, at: day2(2) }));
    await t.sc.usage.recorder.flush();
  });

  it('GET /v1/usage lists the recorded calls newest first, each field as recorded', async () => {
    const { status, body } = await get('/v1/usage?limit=200', auth);
    expect(status).toBe(200);
    expect(body.items).toHaveLength(12);
    expect(body.nextCursor).toBeNull();
    const ats = body.items.map((r: { at: string }) => r.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    expect(body.items[0]).toEqual({
      id: expect.any(String),
      at: '2026-11-03T02:00:00.000Z',
      principal: { kind: 'user', id: 'u-9' },
      endpoint: 'tools-lite',
      serverId: SERVER_B,
      tool: 'add',
      invocationClass: null,
      latencyMs: 300,
      outcome: 'ok',
      bytesIn: 100,
      bytesOut: 1000,
      decisionId: null,
    });
    // Ids are UUIDv7 of the call's time (RFC 9562 §5.7: the first 48 bits are its Unix milliseconds).
    for (const r of body.items) {
      expect(Number.parseInt(r.id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.parse(r.at));
    }
    const denied = body.items.find((r: { outcome: string }) => r.outcome === 'denied');
    expect(denied).toMatchObject({ decisionId: 'dec-3', latencyMs: 30, tool: 'echo' });
  });

  it('each filter narrows the list, and from is inclusive while to is exclusive', async () => {
    const count = async (q: string) => (await get(`/v1/usage?limit=200&${q}`, auth)).body.items.length;
    expect(await count(`server=${SERVER_B}`)).toBe(2);
    expect(await count('tool=echo')).toBe(10);
    expect(await count('principal=u-9')).toBe(2);
    expect(await count('outcome=timeout')).toBe(1);
    expect(await count('endpoint=tools-lite')).toBe(2);
    expect(await count('from=2026-11-02T05:00:00Z&to=2026-11-02T08:00:00Z')).toBe(3); // hours 5, 6, 7
    expect(await count(`server=${SERVER_A}&outcome=ok`)).toBe(8);
  });

  it('pages follow the cursor without a gap or a repeat', async () => {
    const seen: string[] = [];
    let url = '/v1/usage?limit=5';
    for (;;) {
      const { status, body } = await get(url, auth);
      expect(status).toBe(200);
      seen.push(...body.items.map((r: { id: string }) => r.id));
      if (body.nextCursor === null) break;
      url = `/v1/usage?limit=5&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
  });

  it('the summary totals count calls, outcomes, errors, denials, latency percentiles and bytes', async () => {
    const { status, body } = await get('/v1/usage/summary', auth);
    expect(status).toBe(200);
    expect(body).toEqual({
      from: null,
      to: null,
      groupBy: null,
      totals: {
        calls: 12,
        outcomes: { ok: 9, error: 0, denied: 1, upstream_error: 1, timeout: 1 },
        errors: 2,
        denied: 1,
        // Latencies 10..100, 300, 500: the 6th of 12 is 60, the 12th (ceil(0.95 * 12)) is 500.
        latencyMs: { p50: 60, p95: 500 },
        bytesIn: 11 * 100 + 7,
        bytesOut: 11 * 1000,
      },
      groups: [],
      truncated: false,
    });
  });

  it('groupBy=tool sums per server and tool, busiest first; groupBy=day per UTC day in time order', async () => {
    const byTool = (await get('/v1/usage/summary?groupBy=tool', auth)).body;
    expect(byTool.groups.map((g: { key: unknown; calls: number }) => [g.key, g.calls])).toEqual([
      [{ serverId: SERVER_A, tool: 'echo' }, 10],
      [{ serverId: SERVER_B, tool: 'add' }, 2],
    ]);
    expect(byTool.groups[1]).toMatchObject({ errors: 1, latencyMs: { p50: 300, p95: 500 }, bytesIn: 107 });
    expect(byTool.groups[0]).toMatchObject({ errors: 1, denied: 1, latencyMs: { p50: 50, p95: 100 } });

    const byDay = (await get('/v1/usage/summary?groupBy=day', auth)).body;
    expect(byDay.groups.map((g: { key: unknown; calls: number }) => [g.key, g.calls])).toEqual([
      [{ day: '2026-11-02' }, 10],
      [{ day: '2026-11-03' }, 2],
    ]);
    expect(byDay.totals.calls).toBe(12);
  });

  it('groupBy=principal and endpoint key by what the calls share; limit cuts the groups and says so', async () => {
    const byPrincipal = (await get('/v1/usage/summary?groupBy=principal&limit=1', auth)).body;
    expect(byPrincipal.groups).toHaveLength(1);
    expect(byPrincipal.groups[0]).toMatchObject({
      key: { principal: { kind: 'api_key', id: 'key-1' } },
      calls: 10,
    });
    expect(byPrincipal.truncated).toBe(true);
    expect(byPrincipal.totals.calls).toBe(12);
    const byEndpoint = (await get('/v1/usage/summary?groupBy=endpoint', auth)).body;
    expect(byEndpoint.groups.map((g: { key: unknown }) => g.key)).toEqual([
      { endpoint: 'default' },
      { endpoint: 'tools-lite' },
    ]);
    expect(byEndpoint.truncated).toBe(false);
  });

  it('the summary takes the same filters as the list', async () => {
    const { body } = await get(
      `/v1/usage/summary?server=${SERVER_A}&from=2026-11-02T01:00:00Z&to=2026-11-02T03:00:00Z`,
      auth,
    );
    expect(body.from).toBe('2026-11-02T01:00:00.000Z');
    expect(body.totals).toMatchObject({ calls: 2, latencyMs: { p50: 10, p95: 20 } });
  });
});

describe('batching', () => {
  it('records reach the database only when flushed: recording runs no statement, and a flush writes many records in few INSERTs', async () => {
    const { orgId } = await t.newOrg('usage-batches');
    const queries = countQueries(t.database.appPool);
    for (let i = 0; i < 240; i++) t.sc.usage.recorder.record(record(orgId, { latencyMs: i }));
    await new Promise((r) => setTimeout(r, 50));
    // Other parts write on their own timers (API-key usage, budget counters): only this table's statements count.
    expect(queries.texts().filter((q) => q.includes('usage_records'))).toEqual([]);
    expect(await rowsOf(orgId)).toBe(0);
    await t.sc.usage.recorder.flush();
    expect(await rowsOf(orgId)).toBe(240);
    expect(queries.texts().filter((q) => /insert into "usage_records"/i.test(q))).toHaveLength(1);
  });

  it('a full batch (250 records) is written without a flush, in one INSERT per 250 records', async () => {
    const { orgId } = await t.newOrg('usage-full-batch');
    const queries = countQueries(t.database.appPool);
    for (let i = 0; i < 1000; i++) t.sc.usage.recorder.record(record(orgId, { latencyMs: i }));
    await t.sc.usage.recorder.flush();
    expect(await rowsOf(orgId)).toBe(1000);
    expect(queries.texts().filter((q) => /insert into "usage_records"/i.test(q))).toHaveLength(4);
  });

  it('a record the table cannot hold is dropped and counted on its own, without holding back the rest', async () => {
    const { orgId } = await t.newOrg('usage-invalid');
    const before = t.sc.usage.recorder.dropped.invalid;
    t.sc.usage.recorder.record(record(orgId, { outcome: 'exploded' as UsageRecord['outcome'] }));
    t.sc.usage.recorder.record(record(orgId, { tool: 'a\u0000b', principalId: 'p'.repeat(5000) }));
    await t.sc.usage.recorder.flush();
    expect(t.sc.usage.recorder.dropped.invalid).toBe(before + 1);
    const { rows } = await t.database.adminPool.query(
      'SELECT tool, length(principal_id) AS n FROM usage_records WHERE org_id = $1',
      [orgId],
    );
    expect(rows).toEqual([{ tool: 'ab', n: 300 }]);
  });
});

describe('isolation and authorization', () => {
  it("an org sees only its own records: another org's never appear in its list or sums", async () => {
    const a = await t.newOrg('usage-iso-a');
    const b = await t.newOrg('usage-iso-b');
    t.sc.usage.recorder.record(record(a.orgId, { tool: 'only-a' }));
    t.sc.usage.recorder.record(record(b.orgId, { tool: 'only-b' }));
    t.sc.usage.recorder.record(record(b.orgId, { tool: 'only-b' }));
    await t.sc.usage.recorder.flush();
    const listA = (await get('/v1/usage', a.auth)).body;
    expect(listA.items.map((r: { tool: string }) => r.tool)).toEqual(['only-a']);
    expect((await get('/v1/usage/summary', a.auth)).body.totals.calls).toBe(1);
    expect((await get('/v1/usage?tool=only-b', a.auth)).body.items).toEqual([]);
    expect((await get('/v1/usage/summary', b.auth)).body.totals.calls).toBe(2);
  });

  it('needs usage:read: a key without it gets 403, a usage:read key and an analyst-role key read', async () => {
    const none = await t.keyWithScopes(['servers:read']);
    const denied = await get('/v1/usage', bearer(none));
    expect(denied.status).toBe(403);
    expect(denied.type).toMatch(/^application\/problem\+json/);
    expect((await get('/v1/usage/summary', bearer(none))).status).toBe(403);
    expect((await get('/v1/usage', bearer(await t.keyWithScopes(['usage:read'])))).status).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'analyst key', scopes: [], roles: ['analyst'] },
    });
    expect(res.statusCode).toBe(201);
    expect((await get('/v1/usage/summary', bearer(res.json().token))).status).toBe(200);
  });
});

describe('hostile queries', () => {
  const bad = [
    'from=yesterday',
    'from=2026-02-30T00:00:00Z',
    'to=2026-13-01T00:00:00Z',
    'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z',
    'tool=a%00b',
    'server=%00',
    'principal=',
    'outcome=exploded',
    'limit=0',
    'limit=201',
    'cursor=not-a-cursor',
    'nonsense=1',
    `tool=${'x'.repeat(400)}`,
  ];
  for (const q of bad) {
    it(`GET /v1/usage?${q.slice(0, 60)} is 422 problem+json validation_failed`, async () => {
      const r = await get(`/v1/usage?${q}`);
      expect(r.status).toBe(422);
      expect(r.type).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('validation_failed');
    });
  }

  for (const q of [
    'groupBy=everything',
    'limit=1001',
    'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z',
    'to=%00',
  ]) {
    it(`GET /v1/usage/summary?${q} is 422 problem+json validation_failed`, async () => {
      const r = await get(`/v1/usage/summary?${q}`);
      expect(r.status).toBe(422);
      expect(r.type).toMatch(/^application\/problem\+json/);
      expect(r.body.code).toBe('validation_failed');
    });
  }
});
