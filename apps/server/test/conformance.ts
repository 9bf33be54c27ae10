/**
 * Runs the official `@modelcontextprotocol/conformance` server scenarios (issue 11 point 10, ADR 0043) against
 * an MCP endpoint as a child process, the way CI would (`conformance server --url ... -o dir`), and reads the
 * per-scenario `checks.json` files it writes back into one result: which scenarios passed, and for each
 * failure the checks that failed. Expected failures follow the CLI's own baseline rules: a listed scenario
 * that fails is expected, an unlisted failure is unexpected, a listed scenario that passes is stale.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeaderProxy } from './conformance-header-proxy.ts';
import { nodeBinary } from './mcp-servers/loopback.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CONFORMANCE_CLI = join(
  ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
);

/** One check as the suite writes it (`ConformanceCheck` in its src/types.ts). */
export interface ConformanceCheck {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  readonly errorMessage?: string;
  readonly details?: Record<string, unknown>;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** No check failed (warnings allowed, as the CLI counts it). */
  readonly passed: boolean;
  readonly checks: readonly ConformanceCheck[];
  /** The FAILURE checks, for the assertion message. */
  readonly failures: readonly ConformanceCheck[];
}

export interface ConformanceRun {
  readonly scenarios: readonly ScenarioResult[];
  /** Failed and not listed in `expectedFailures`: each one fails the build. */
  readonly unexpectedFailures: readonly string[];
  /** Listed in `expectedFailures` but passed: the list must shrink. */
  readonly staleExpectedFailures: readonly string[];
  /** The CLI's exit code (0 when the baseline holds). */
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** The CLI's output, for diagnosis when something went wrong. */
  readonly output: string;
}

export interface ServerConformanceOptions {
  /** The MCP endpoint (Streamable HTTP), e.g. `http://127.0.0.1:port/mcp`. */
  readonly url: string;
  /** Scenario names that may fail; each must be justified in ADR 0043. */
  readonly expectedFailures?: readonly string[];
  /** Sent on every request (e.g. `{ authorization: 'Bearer sc_...' }`) through a loopback forwarder. */
  readonly headers?: Readonly<Record<string, string>>;
  /** One scenario instead of the suite. */
  readonly scenario?: string;
  /** `active` (default: everything but the suite's pending scenarios), `all` or `pending`. */
  readonly suite?: 'active' | 'all' | 'pending';
  /**
   * Kill the CLI after this long. Default 45 s: the whole active suite takes about 3 s against the fixture,
   * and a scenario that hangs would otherwise wait out the SDK's 60 s request timeout, past the int tests'
   * own timeout, without saying which scenario hung.
   */
  readonly timeoutMs?: number;
}

// The CLI names each result directory `server-<scenario>-<ISO timestamp with : and . as ->`.
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;
const SCENARIO_LINE = /^=== Running scenario: (\S+) ===$/gm;
const SINGLE_SCENARIO_LINE = /^Running client scenario '([^']+)' against server/m;

const lastScenario = (output: string) =>
  [...output.matchAll(/Running client scenario '([^']+)'/g)].at(-1)?.[1] ?? 'none';

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(), [CONFORMANCE_CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No colours: the output is kept for assertion messages.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `conformance CLI did not finish in ${timeoutMs} ms (last scenario started: ${lastScenario(output)}):\n${output.slice(-4000)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function readResults(dir: string, ran: readonly string[]): Promise<ScenarioResult[]> {
  const checksByScenario = new Map<string, ConformanceCheck[]>();
  for (const entry of await readdir(dir)) {
    const match = RESULT_DIR.exec(entry);
    if (!match?.[1]) continue;
    const text = await readFile(join(dir, entry, 'checks.json'), 'utf8');
    checksByScenario.set(match[1], JSON.parse(text) as ConformanceCheck[]);
  }
  return ran.map((scenario) => {
    // A scenario that threw before writing checks.json has no directory: the CLI counts it as failed too.
    const checks = checksByScenario.get(scenario) ?? [
      {
        id: scenario,
        name: scenario,
        description: 'Scenario wrote no results (it threw before finishing; see the CLI output)',
        status: 'FAILURE' as const,
      },
    ];
    const failures = checks.filter((c) => c.status === 'FAILURE');
    return { scenario, passed: failures.length === 0, checks, failures };
  });
}

export async function runServerConformance(options: ServerConformanceOptions): Promise<ConformanceRun> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'sc-conformance-'));
  const proxy = options.headers ? await startHeaderProxy(options.url, { ...options.headers }) : undefined;
  try {
    const expected = options.expectedFailures ?? [];
    const args = ['server', '--url', proxy?.url ?? options.url, '-o', join(dir, 'results')];
    if (options.scenario) args.push('--scenario', options.scenario);
    else args.push('--suite', options.suite ?? 'active');
    if (expected.length > 0) {
      const baseline = join(dir, 'expected-failures.yaml');
      // JSON strings are valid YAML scalars, so no YAML library is needed to write the list.
      await writeFile(baseline, `server:\n${expected.map((s) => `  - ${JSON.stringify(s)}\n`).join('')}`);
      args.push('--expected-failures', baseline);
    }
    const { code, output } = await runCli(args, options.timeoutMs ?? 45_000);
    const ran = options.scenario
      ? [...output.matchAll(new RegExp(SINGLE_SCENARIO_LINE, 'gm'))].map((m) => m[1] ?? '')
      : [...output.matchAll(SCENARIO_LINE)].map((m) => m[1] ?? '');
    if (ran.length === 0)
      throw new Error(`the conformance CLI ran no scenario; output:\n${output.slice(-4000)}`);
    const scenarios = await readResults(join(dir, 'results'), ran);
    const failed = scenarios.filter((s) => !s.passed).map((s) => s.scenario);
    return {
      scenarios,
      unexpectedFailures: failed.filter((s) => !expected.includes(s)),
      staleExpectedFailures: expected.filter((s) => ran.includes(s) && !failed.includes(s)),
      exitCode: code,
      durationMs: Date.now() - started,
      output,
    };
  } finally {
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line per failing check, for assertion messages. */
export function describeFailures(run: ConformanceRun): string {
  return run.scenarios
    .flatMap((s) => s.failures.map((f) => `${s.scenario}: [${f.id}] ${f.errorMessage ?? f.description}`))
    .join('\n');
}
