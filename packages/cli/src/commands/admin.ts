import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';

interface CreateKeyFlags {
  org?: string;
  name?: string;
  json?: boolean;
}

/**
 * `admin`: what the machine's operator does without the API (issue 10 point 7). `create-key` recovers a lost
 * admin key: it needs the data dir or DATABASE_URL and the master key, exactly what `sprintconnect start`
 * reads, so only someone with access to the machine (or its secrets) can run it; the server need not run, and
 * a running one on the embedded data dir is left alone.
 */
export function adminCommand(program: Command, ctx: CommandContext): void {
  const admin = program
    .command('admin')
    .description('operator commands that work on the database directly (no API key needed)');

  admin
    .command('create-key')
    .description(
      'create an admin API key for an organization (reads SPRINTCONNECT_DATA_DIR or DATABASE_URL like `start`; audited)',
    )
    .option('--org <org>', 'organization slug or id (default: the only one)')
    .option('--name <name>', 'a name for the key (default: "admin key recovered <time>")')
    .addOption(jsonOption('print {id, name, org, token} as JSON on stdout'))
    .action(async (flags: CreateKeyFlags) => {
      const key = await ctx.deps.createAdminKey({
        env: {},
        org: flags.org,
        name: flags.name,
        log: (line) => ctx.err(line),
      });
      if (flags.json) return ctx.json({ id: key.id, name: key.name, org: key.org, token: key.token });
      ctx.err(`Using ${key.via}.`);
      ctx.err(
        `Created the admin API key "${oneLine(key.name)}" (${key.id}) for the organization ${oneLine(key.org.slug)}.`,
      );
      ctx.out(key.token);
      ctx.err(
        'Store it now: SprintConnect keeps only a hash of it and cannot show it again. The creation is audited.',
      );
    });
}
