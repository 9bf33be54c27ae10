import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { ROLES } from '../options.ts';

type Running = Awaited<ReturnType<CommandContext['deps']['startServer']>>;

/**
 * `sprintconnect start`: runs the server in this process until SIGINT/SIGTERM, then stops it cleanly (the
 * queue, the pools and the embedded database, which would otherwise be left orphaned). A signal during start-up
 * stops the server as soon as it is up; a second signal gives up on the clean stop (exit 130).
 */
export function startCommand(program: Command, ctx: CommandContext): void {
  program
    .command('start')
    .description(
      'run SprintConnect (API, worker and scheduler; embedded PostgreSQL unless DATABASE_URL is set)',
    )
    .addOption(
      new Option(
        '--role <role>',
        'which roles this process runs (default: SPRINTCONNECT_ROLE or all)',
      ).choices(ROLES),
    )
    .action(async (flags: { role?: string }) => {
      let signals = 0;
      let onFirst: (signal: string) => void = () => {};
      let onSecond: () => void = () => {};
      const shutdown = new Promise<string>((r) => {
        onFirst = r;
      });
      const forced = new Promise<undefined>((r) => {
        onSecond = () => r(undefined);
      });
      ctx.deps.onShutdownSignal((signal) => {
        signals += 1;
        if (signals === 1) {
          ctx.err(`${signal}: stopping...`);
          return onFirst(signal);
        }
        ctx.err(`${signal} again: exiting without a clean stop`);
        ctx.setExitCode(130);
        onSecond();
      });

      let server: Running | undefined;
      try {
        const starting = ctx.deps.startServer({
          env: flags.role === undefined ? {} : { SPRINTCONNECT_ROLE: flags.role },
          print: (line) => ctx.out(line),
        });
        server = await Promise.race([starting, forced]);
      } catch (e) {
        ctx.err(`error: ${e instanceof Error ? e.message : String(e)}`);
        ctx.setExitCode(1);
        return;
      }
      if (server === undefined) return;
      if ((await Promise.race([shutdown, forced])) === undefined) return;
      const stopped = server.stop().catch((e: unknown) => {
        ctx.err(`error while stopping: ${e instanceof Error ? e.message : String(e)}`);
        ctx.setExitCode(1);
      });
      await Promise.race([stopped, forced]);
    });
}
