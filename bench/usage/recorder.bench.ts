import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import type { UsageRecord } from '../../apps/server/src/modules/usage/index.ts';
import { openBenchDatabase, runBench } from '../lib.ts';

/**
 * What a gateway usage record costs (ADR 0042):
 *
 * - on the request path: one `recorder.record(r)` (check the record, push it onto the buffer), timed over
 *   RECORDS calls with nothing written meanwhile;
 * - the memory a buffered record holds (heap growth over RECORDS buffered records; approximate, no forced GC);
 * - off the request path: flush throughput, RECORDS rows in batches of 500 (one multi-row INSERT per batch).
 *
 * Targets: record() below 5 µs on average; flush at least 10,000 rows/s from one process, so a process's buffer
 * keeps up with up to that many gateway calls per second; at most 1 KiB
 * per buffered record (the default bound of 100,000 records then holds at most ~100 MB).
 *
 *   node bench/usage/recorder.bench.ts
 */
const RECORDS = 100_000;
const WARMUP = 20_000;
// A full collection before each heap reading, so the figure is what the buffer keeps, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<boolean> {
  const { database, cleanup } = await openBenchDatabase('usage');
  try {
    const parsed = parseConfig({ LOG_LEVEL: 'silent', PORT: '0', SPRINTCONNECT_ROLE: 'api' });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    // Batches of 500 as in production; the timer is an hour, so only full batches start writes. They cannot
    // start while the synchronous record() loop runs, so the loop times record() alone.
    const sc = await compose({
      ...{ config: parsed.config, database, masterKey: randomBytes(32) },
      usageRecorder: { flushMs: 3_600_000, batchRows: 500, maxBuffered: RECORDS },
    });
    try {
      const servers = Array.from({ length: 20 }, () => randomUUID());
      const records: UsageRecord[] = Array.from({ length: RECORDS }, (_, i) => ({
        orgId,
        principalKind: 'api_key',
        principalId: randomUUID(),
        endpoint: i % 3 === 0 ? 'default' : 'tools-lite',
        serverId: servers[i % servers.length]!,
        tool: `tool_${i % 50}`,
        invocationClass: 'read',
        latencyMs: i % 900,
        outcome: i % 17 === 0 ? 'error' : 'ok',
        bytesIn: 200,
        bytesOut: 4000,
        decisionId: `dec_${i}`,
        at: new Date(Date.UTC(2026, 11, 1) + i),
      }));
      // Warm up (the JIT, the pools), then start from an empty buffer.
      for (const r of records.slice(0, WARMUP))
        sc.usage.recorder.record({ ...r, at: new Date(r.at.getTime() - 1e9) });
      await sc.usage.recorder.flush();
      const t0 = performance.now();
      for (const r of records) sc.usage.recorder.record(r);
      const t1 = performance.now();
      const recordUs = ((t1 - t0) * 1000) / RECORDS;
      gc();
      gc();
      const heapFull = process.memoryUsage().heapUsed;
      const t2 = performance.now();
      await sc.usage.recorder.flush();
      const rowsPerSecond = RECORDS / ((performance.now() - t2) / 1000);
      gc();
      gc();
      const bytesPer = (heapFull - process.memoryUsage().heapUsed) / RECORDS;
      const { rows } = await database.adminPool.query('SELECT count(*)::int AS n FROM usage_records');
      if (rows[0].n !== RECORDS + WARMUP) throw new Error(`expected ${RECORDS} rows, found ${rows[0].n}`);
      log(`load average while measuring: ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
      log(`record(): ${recordUs.toFixed(2)} µs per call over ${RECORDS} calls (target < 5)`);
      log(`buffered record: ~${Math.round(bytesPer)} bytes of heap each (target <= 1024)`);
      log(`flush: ${Math.round(rowsPerSecond)} rows/s in batches of 500 (target >= 10000)`);
      return recordUs < 5 && rowsPerSecond >= 10_000 && bytesPer <= 1024;
    } finally {
      await sc.stop();
    }
  } finally {
    await cleanup();
  }
}

runBench(main);
