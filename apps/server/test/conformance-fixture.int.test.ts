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

  it('the fixture sends sampling and elicitation on the tools/call stream, so no GET stream is needed', async () => {
    // A raw 2025-11-25 session that never opens the standalone GET stream: a server-to-client request the
    // fixture did not relate to the call would go there and never arrive (the flake a gateway would inherit).
    const post = (body: object, sessionId?: string, signal?: AbortSignal) =>
      fetch(fixture.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
        },
        body: JSON.stringify(body),
        ...(signal === undefined ? {} : { signal }),
      });
    const init = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { sampling: {}, elicitation: {} },
        clientInfo: { name: 'raw', version: '1' },
      },
    });
    const sessionId = init.headers.get('mcp-session-id') ?? '';
    await init.text();
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).status).toBe(202);
    const calls = [
      { name: 'test_sampling', arguments: { prompt: 'hi' }, expected: 'sampling/createMessage' },
      { name: 'test_elicitation', arguments: { message: 'hi' }, expected: 'elicitation/create' },
    ];
    for (const [i, call] of calls.entries()) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 5_000);
      const params = { name: call.name, arguments: call.arguments };
      const res = await post(
        { jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params },
        sessionId,
        abort.signal,
      );
      let seen = '';
      try {
        for await (const chunk of res.body ?? []) {
          seen += Buffer.from(chunk).toString('utf8');
          if (seen.includes(`"method":"${call.expected}"`)) break;
        }
      } catch {
        // Aborted after 5 s without the request: the assertion below says so.
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      expect(seen, call.name).toContain(`"method":"${call.expected}"`);
    }
  });
});
