import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP_ROLE_PASSWORD, TEST_MASTER_KEY } from '../../../test/constants.ts';
import { startTestApp } from '../../../test/harness.ts';
import { stopLeftoverPostmaster } from '../../../test/start-process.ts';
import { parseConfig } from '../../config/index.ts';
import { compose, MIGRATIONS_DIR, type SprintConnect } from '../../main.ts';
import {
  type DatabaseHandle,
  type EmbeddedPostgres,
  openDatabase,
  startEmbeddedPostgres,
} from '../../platform/db/index.ts';
import { ensureDefaultOrg } from '../tenancy/index.ts';
import type { UsageRecord } from './index.ts';

/**
 * Issue 11 point 8 and ADR 0042: usage records wait in memory, never on the request path, so the database may be
 * away: what was recorded meanwhile is kept (up to the bound) and written when it is back; the oldest go past the
 * bound, counted. And the records buffered at stop are written before the process lets go of the database.
 */
const SERVER = randomUUID();
const record = (orgId: string, latencyMs: number): UsageRecord => ({
  orgId,
  principalKind: 'api_key',
  principalId: 'k',
  endpoint: 'default',
  serverId: SERVER,
  tool: 'echo',
  latencyMs,
  outcome: 'ok',
  bytesIn: 1,
  bytesOut: 1,
  at: new Date(Date.UTC(2026, 10, 1) + latencyMs * 1000),
});

describe('PostgreSQL stops while records are buffered', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let database: DatabaseHandle;
  let sc: SprintConnect;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-usage-outage-'));
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
    database = await openDatabase({
      ...{ databaseUrl: server.url, dataDir: join(dir, 'app'), migrationsDir: MIGRATIONS_DIR },
      appRolePassword: TEST_APP_ROLE_PASSWORD,
    });
    orgId = (await ensureDefaultOrg(database.adminDb)).orgId;
    const parsed = parseConfig({ LOG_LEVEL: 'silent', PORT: '0' });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    sc = await compose({
      ...{ config: parsed.config, database, masterKey: TEST_MASTER_KEY },
      usageRecorder: { flushMs: 3_600_000, batchRows: 10, maxBuffered: 50 },
    });
    key = (await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, undefined))!.token;
  }, 120_000);
  afterAll(async () => {
    await sc?.stop();
    await database?.close();
    await server?.stop();
    await stopLeftoverPostmaster(join(dir, 'pg'));
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what was recorded during the outage, up to the bound (the oldest dropped and counted), and writes it once PostgreSQL is back', async () => {
    const recorder = sc.usage.recorder;
    for (let i = 0; i < 5; i++) recorder.record(record(orgId, i));
    await recorder.flush();
    const port = server.port;
    await server.stop();

    // 70 records while it is down: every batch fails, the buffer holds the newest 50.
    for (let i = 5; i < 75; i++) recorder.record(record(orgId, i));
    await recorder.flush();
    expect(recorder.buffered).toBe(50);
    expect(recorder.dropped.overflow).toBe(20);
    const metrics = await sc.platform.metrics.render();
    expect(metrics.body).toMatch(/sprintconnect_usage_records_dropped_total\{reason="overflow"\} 20/);

    server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
    await recorder.flush();
    expect(recorder.buffered).toBe(0);
    const res = await sc.app!.inject({
      method: 'GET',
      url: '/v1/usage?limit=200',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(200);
    const latencies = res
      .json()
      .items.map((r: { latencyMs: number }) => r.latencyMs)
      .sort((a: number, b: number) => a - b);
    // The five written before, then the newest 50 of the 70 recorded while it was down (25..74).
    expect(latencies).toEqual([0, 1, 2, 3, 4, ...Array.from({ length: 50 }, (_, i) => i + 25)]);
  }, 120_000);
});

describe('stop', () => {
  it('writes the records still buffered before the database is let go', async () => {
    const t = await startTestApp({
      usageRecorder: { flushMs: 3_600_000, batchRows: 500, maxBuffered: 1000 },
    });
    try {
      for (let i = 0; i < 7; i++) t.sc.usage.recorder.record(record(t.orgId, i));
      const before = await t.database.adminPool.query('SELECT count(*)::int AS n FROM usage_records');
      expect(before.rows[0].n).toBe(0);
      await t.sc.stop();
      const after = await t.database.adminPool.query('SELECT count(*)::int AS n FROM usage_records');
      expect(after.rows[0].n).toBe(7);
    } finally {
      await t.database.drop();
    }
  });
});
