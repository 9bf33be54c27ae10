import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliServer, cli, startCliServer } from './testing/cli-process.ts';

/**
 * Issue 11 point 8 through the real binary: `usage list` and `usage summary` print what GET /v1/usage and
 * /v1/usage/summary answer (`--json` is the API's body), pass their filters on, and a refused query exits 1.
 * The records are written by the server's own recorder, as the gateway writes them.
 */
let s: CliServer;
const SERVER = randomUUID();

beforeAll(async () => {
  s = await startCliServer();
  for (const [tool, outcome, latencyMs] of [
    ['echo', 'ok', 10],
    ['echo', 'error', 30],
    ['add', 'ok', 20],
  ] as const) {
    s.t.sc.usage.recorder.record({
      ...{ orgId: s.t.orgId, principalKind: 'api_key', principalId: 'k1', endpoint: 'default' },
      ...{ serverId: SERVER, tool, latencyMs, outcome, bytesIn: 1, bytesOut: 2 },
      at: new Date('2026-11-02T10:00:00Z'),
    });
  }
  await s.t.sc.usage.recorder.flush();
});
afterAll(() => s?.stop());

const ok = async (args: string[]) => {
  const r = await cli(args, s.env);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r.stdout;
};

describe('usage', () => {
  it('list --json is the API page, and --tool narrows it', async () => {
    const all = JSON.parse(await ok(['usage', 'list', '--json']));
    expect(all).toEqual((await s.api('GET', '/v1/usage')).body);
    expect(all.items).toHaveLength(3);
    const echo = JSON.parse(await ok(['usage', 'list', '--tool', 'echo', '--json']));
    expect(echo.items.map((r: { tool: string }) => r.tool)).toEqual(['echo', 'echo']);
  });

  it('summary --group-by tool --json is the API summary; the table shows each tool and the total', async () => {
    const json = JSON.parse(await ok(['usage', 'summary', '--group-by', 'tool', '--json']));
    expect(json).toEqual((await s.api('GET', '/v1/usage/summary?groupBy=tool')).body);
    expect(json.totals).toMatchObject({ calls: 3, errors: 1 });
    const table = await ok(['usage', 'summary', '--group-by', 'tool']);
    expect(table).toMatch(new RegExp(`${SERVER} echo +2 +1 `));
    expect(table).toMatch(/TOTAL +3 +1 /);
  });

  it('a refused query (from after to) exits 1 with the problem', async () => {
    const r = await cli(
      ['usage', 'list', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-01T00:00:00Z'],
      s.env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/validation_failed/);
  });
});
