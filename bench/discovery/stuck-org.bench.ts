import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../apps/server/src/config/index.ts';
import { compose } from '../../apps/server/src/main.ts';
import { createOrg, ensureDefaultOrg } from '../../apps/server/src/modules/tenancy/index.ts';
import { startGate } from '../../apps/server/test/mcp-servers/gate.ts';
import { startHanging } from '../../apps/server/test/mcp-servers/hanging.ts';
import { openBenchDatabase, runBench } from '../lib.ts';

/**
 * Issue 8, point 17: one org's hanging MCP servers must not slow another org's discoveries. One process with
 * the default slot caps (ADR 0024); org "stuck" registers HANGING servers that never answer, then org "healthy"
 * registers GOOD servers that answer at once. Measured: from the healthy org's first registration until all its
 * discoveries have succeeded, and the same with no stuck org, as the baseline.
 *
 * Target: with the stuck org, the healthy org finishes within 2 s more than the baseline (before the slot caps,
 * 4 hanging servers took it from 1.6 s to 24.5 s: the 4 shared workers waited out the connect timeout).
 *
 *   node bench/discovery/stuck-org.bench.ts
 */
const HANGING = 8;
const GOOD = 20;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<boolean> {
  const { database, cleanup } = await openBenchDatabase('slots');
  const hanging = await Promise.all(Array.from({ length: HANGING }, () => startHanging()));
  const good = await startGate();
  try {
    const parsed = parseConfig({
      LOG_LEVEL: 'silent',
      PORT: '0',
      SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    await ensureDefaultOrg(database.adminDb);
    const sc = await compose({ config: parsed.config, database, masterKey: randomBytes(32) });
    try {
      const orgKey = async (slug: string) => {
        const id = await createOrg(database.adminDb, { slug, name: slug });
        const { token } = await sc.apiKeys.keys.create(
          { type: 'system', id: 'bench', orgId: id },
          { name: slug, scopes: ['admin'] },
        );
        return { authorization: `Bearer ${token}` };
      };
      const register = async (auth: { authorization: string }, name: string, url: string) => {
        const res = await sc.app!.inject({
          method: 'POST',
          url: '/v1/servers',
          headers: auth,
          payload: { name, url },
        });
        if (res.statusCode !== 201) throw new Error(`registration failed: ${res.body}`);
        return res.json().discoveryJob.id as string;
      };
      const healthyRun = async (slug: string) => {
        const auth = await orgKey(slug);
        const t0 = performance.now();
        const ids = await Promise.all(
          Array.from({ length: GOOD }, (_, i) => register(auth, `good-${i}`, `${good.origin}/${slug}/${i}`)),
        );
        for (;;) {
          // Read from the table: polling the API would spend the key's rate limit, not measure discovery.
          const { rows } = await database.adminPool.query<{ state: string }>(
            'SELECT state FROM jobs WHERE id = ANY($1::uuid[])',
            [ids],
          );
          if (rows.some((r) => r.state === 'failed')) throw new Error('a healthy discovery failed');
          if (rows.every((r) => r.state === 'succeeded')) return performance.now() - t0;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const baseline = await healthyRun('baseline');
      const stuck = await orgKey('stuck');
      for (const [i, h] of hanging.entries()) await register(stuck, `hanging-${i}`, h.url);
      while (hanging.filter((h) => h.open() > 0).length < Math.min(HANGING, sc.platform.jobs.slots.perOrg)) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const withStuck = await healthyRun('healthy');
      const stillHanging = hanging.filter((h) => h.open() > 0).length;
      log(`slots: ${JSON.stringify(sc.platform.jobs.slots)}`);
      log(`${GOOD} healthy discoveries, alone:                       ${baseline.toFixed(0)} ms`);
      log(
        `${GOOD} healthy discoveries, ${HANGING} hanging in another org: ${withStuck.toFixed(0)} ms (${stillHanging} still hanging)`,
      );
      const pass = withStuck <= baseline + 2000 && stillHanging > 0;
      log(pass ? 'PASS' : 'FAIL: the stuck org slowed the healthy one');
      return pass;
    } finally {
      await sc.stop();
    }
  } finally {
    await Promise.all([...hanging.map((h) => h.close()), good.close()]);
    await cleanup();
  }
}

runBench(main);
