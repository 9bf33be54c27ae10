import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.ts';
import { testDeps } from './testing/fake-api.ts';

/**
 * Issue 10 point 8: "the README's commands work when pasted". Every `npx sprintconnect` line of its shell
 * blocks must be a command line the CLI accepts (exit 2 is a usage error), `npm run` (whose banner breaks
 * `--json`) must not be how it says to run the CLI, and the quick start must start an MCP server on the port
 * it registers and lets SprintConnect reach.
 */
const README = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');

/** The commands of the README's ```sh blocks, continuation lines joined, comments dropped. */
function shellCommands(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
}

/** A shell-like split: quotes group, `| jq ...` and placeholders like `<job id>` become one argument. */
function argvOf(command: string): string[] {
  const line = command.split(' | ')[0]!.replace(/<[^>]+>/g, '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e');
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

// The files the README's commands read (a policy, a public key) are the user's own: stand-ins here.
const files = mkdtempSync(join(tmpdir(), 'sc-readme-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));
function withFiles(argv: string[]): string[] {
  return argv.map((a) => {
    if (!/^[\w.-]+\.(cedar|json)$/.test(a)) return a;
    writeFileSync(
      join(files, a),
      a.endsWith('.json') ? '{"kty":"OKP"}' : 'permit (principal, action, resource);',
    );
    return join(files, a);
  });
}

const cliLines = () => shellCommands().filter((c) => c.startsWith('npx sprintconnect '));

describe("the README's commands", () => {
  it('run the CLI with `npx sprintconnect`, never through `npm run` and its banner', () => {
    expect(cliLines().length).toBeGreaterThan(20);
    expect(README).not.toMatch(/npm run sprintconnect -- [^\n`]*--json/);
    expect(shellCommands().filter((c) => c.includes('npm run sprintconnect'))).toEqual([]);
  });

  it.each(cliLines().filter((c) => !/^npx sprintconnect (login|logout|start)\b/.test(c)))(
    '`%s` is a command line the CLI accepts',
    async (command) => {
      // Every call is answered with an empty page: the command may then fail (exit 1), but not as a usage error.
      const fetch = (async () =>
        new Response(JSON.stringify({ items: [], nextCursor: null }), {
          headers: { 'content-type': 'application/json' },
        })) as unknown as typeof globalThis.fetch;
      const { deps, stderr } = testDeps({ fetch });
      const code = await run(withFiles(argvOf(command).slice(2)), deps);
      expect(code, stderr.text()).not.toBe(2);
    },
  );

  it('the quick start registers a server on a port that SprintConnect may reach and that an MCP server listens on', () => {
    const cmds = shellCommands();
    const register = cmds.find((c) => c.startsWith('npx sprintconnect servers register'))!;
    const port = new URL(/--url (\S+)/.exec(register)![1]!).port;
    const start = cmds.find((c) => c.endsWith('npm start') && c.includes('SPRINTCONNECT_EGRESS_PORTS'))!;
    expect(/SPRINTCONNECT_EGRESS_PORTS=(\S+)/.exec(start)![1]!.split(',')).toContain(port);
    expect(/SPRINTCONNECT_EGRESS_ALLOW=(\S+)/.exec(start)![1]).toBe('127.0.0.1/32');
    // server-everything listens on PORT, 3001 when unset (its transports/streamableHttp.js).
    const mcp = cmds.find((c) => /^(PORT=\d+ )?npx mcp-server-everything streamableHttp$/.test(c));
    expect(mcp, 'a command starting an MCP server').toBeDefined();
    expect(/\bPORT=(\d+)/.exec(mcp!)?.[1] ?? '3001').toBe(port);
  });
});
