import { CommanderError } from 'commander';
import { connect, rootFlags } from './connect.ts';
import type { CliDeps, CommandContext } from './context.ts';
import { describeError } from './output/describe-error.ts';
import { createProgram } from './program.ts';

/**
 * Runs one command line (without the `node main.ts` prefix) and resolves to the exit code: 0 done, 1 the
 * operation failed (API problem, unreachable server, failed job), 2 the command line was wrong.
 */
export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = {
    deps,
    client(cmd) {
      return connect(rootFlags(cmd), deps.env, deps.fetch);
    },
    out: (text) => void deps.stdout.write(`${text}\n`),
    err: (text) => void deps.stderr.write(`${text}\n`),
    json: (value) => void deps.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    setExitCode(code) {
      exitCode = code;
    },
  };
  try {
    await createProgram(ctx).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    // Commander has already printed its message (unknown option, missing argument, help, version).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const report = describeError(e);
    for (const line of report.lines) ctx.err(line);
    return report.exitCode;
  }
}
