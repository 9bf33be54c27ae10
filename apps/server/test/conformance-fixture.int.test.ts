/**
 * The baseline for issue 11 point 10: the official `@modelcontextprotocol/conformance` server scenarios pass
 * against our fixture directly, so a scenario that later fails through a gateway virtual server fails because
 * of the gateway. Also shows the runner itself is honest: it reports failing checks, stale expected
 * failures, and gets an API key onto every request the suite makes (ADR 0043).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailures, runServerConformance } from './conformance.ts';
import { startConformanceFixture } from './mcp-servers/conformance-fixture.ts';
import type { RunningServer } from './mcp-servers/loopback.ts';
import { startStateless2026 } from './mcp-servers/stateless-2026.ts';

/** Empty: every active scenario passes against the fixture. A new entry needs its reason in ADR 0043. */
const EXPECTED_FAILURES: readonly string[] = [];

/** The scenario families issue 11 point 10 names; the run must include each (the suite did not skip them). */
const REQUIRED_SCENARIOS = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-with-progress',
  'tools-call-with-logging',
  'tools-call-sampling',
  'tools-call-elicitation',
  'resources-list',
  'resources-read-text',
  'resources-templates-read',
  'prompts-list',
  'prompts-get-with-args',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];

const API_KEY = 'Bearer sc_conformance_test_key';

describe('official MCP conformance server scenarios', () => {
  let fixture: RunningServer;
  let keyed: RunningServer;

  beforeAll(async () => {
    fixture = await startConformanceFixture();
    keyed = await startConformanceFixture({ requireAuthorization: API_KEY });
  });
  afterAll(async () => {
    await fixture?.close();
    await keyed?.close();
  });

  it('every active scenario passes against our fixture directly, with no expected failures', async () => {
    const run = await runServerConformance({ url: fixture.url, expectedFailures: EXPECTED_FAILURES });
    console.info(
      `conformance (active suite, direct): ${run.scenarios.length} scenarios in ${run.durationMs} ms`,
    );
    const ran = run.scenarios.map((s) => s.scenario);
    expect(ran).toEqual(expect.arrayContaining(REQUIRED_SCENARIOS));
    expect(run.unexpectedFailures, describeFailures(run)).toEqual([]);
    expect(run.staleExpectedFailures).toEqual([]);
    expect(run.exitCode, run.output.slice(-3000)).toBe(0);
    // Every scenario made real checks (a scenario with none would pass vacuously).
    for (const s of run.scenarios) expect(s.checks.length, s.scenario).toBeGreaterThan(0);
  });

  it('the suite pending scenarios (JSON Schema 2020-12, SSE polling) pass against the fixture too', async () => {
    const run = await runServerConformance({ url: fixture.url, suite: 'pending' });
    expect(run.scenarios.map((s) => s.scenario).sort()).toEqual([
      'json-schema-2020-12',
      'server-sse-polling',
    ]);
    expect(run.unexpectedFailures, describeFailures(run)).toEqual([]);
  });

  it('headers given to the runner reach every request the suite makes, so a keyed endpoint passes', async () => {
    const withKey = await runServerConformance({ url: keyed.url, headers: { authorization: API_KEY } });
    expect(withKey.unexpectedFailures, describeFailures(withKey)).toEqual([]);
    expect(withKey.scenarios.map((s) => s.scenario)).toEqual(expect.arrayContaining(REQUIRED_SCENARIOS));
  });

  it('without the key the keyed endpoint fails the suite, so the pass above is down to the header', async () => {
    const run = await runServerConformance({ url: keyed.url, scenario: 'tools-list' });
    expect(run.unexpectedFailures).toEqual(['tools-list']);
    expect(run.scenarios[0]?.failures[0]?.errorMessage).toMatch(/unauthorized/);
  });

  it('a scenario that fails is reported with its failing check and a listed scenario that passes is stale', async () => {
    // A catalogue server without the fixture's tools: `test_simple_text` is an unknown tool there.
    const other = await startStateless2026({ legacy: 'stateless' });
    try {
      const failing = await runServerConformance({ url: other.url, scenario: 'tools-call-simple-text' });
      expect(failing.unexpectedFailures).toEqual(['tools-call-simple-text']);
      expect(failing.exitCode).not.toBe(0);
      expect(describeFailures(failing)).toMatch(/tools-call-simple-text: .*Unknown tool: test_simple_text/);
    } finally {
      await other.close();
    }
    const stale = await runServerConformance({
      url: fixture.url,
      scenario: 'ping',
      expectedFailures: ['ping'],
    });
    expect(stale.unexpectedFailures).toEqual([]);
    expect(stale.staleExpectedFailures).toEqual(['ping']);
    expect(stale.exitCode).not.toBe(0);
  });
});
