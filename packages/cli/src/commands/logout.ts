import type { Command } from 'commander';
import { deleteLogin, readLogin } from '../auth/credentials.ts';
import { revoke } from '../auth/oauth.ts';
import { configDir } from '../config.ts';
import type { CommandContext } from '../context.ts';

/**
 * `logout`: revokes the stored refresh token at the server and deletes the credentials file. The file goes even
 * when revocation fails (the server unreachable); that failure is reported and ends with exit 1.
 */
export function logoutCommand(program: Command, ctx: CommandContext): void {
  program
    .command('logout')
    .description('revoke the stored login at the server and delete it')
    .action(async () => {
      const dir = configDir(ctx.deps.env);
      let stored: ReturnType<typeof readLogin>;
      try {
        stored = dir === undefined ? undefined : readLogin(dir);
      } catch {
        stored = undefined; // Unreadable: nothing to revoke, but the file still goes.
      }
      if (dir !== undefined && stored !== undefined) {
        try {
          await revoke(stored, ctx.deps.fetch);
        } catch (e) {
          ctx.err(`warning: could not revoke the login at ${stored.server}: ${(e as Error).message}`);
          ctx.setExitCode(1);
        }
      }
      if (dir !== undefined) deleteLogin(dir);
      ctx.err(stored === undefined ? 'Not logged in.' : `Logged out of ${stored.server}.`);
    });
}
