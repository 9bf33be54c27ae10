import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';

/** `whoami`: who the API sees (GET /v1/me), with the API key or the stored login. */
export function whoamiCommand(program: Command, ctx: CommandContext): void {
  program
    .command('whoami')
    .description('show the user, client or API key the CLI acts as')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const me = await ctx.client(self).me();
      if (flags.json) return ctx.json(me);
      ctx.out(`${oneLine(me.name)}${me.email === null ? '' : ` <${oneLine(me.email)}>`} (${me.kind})`);
      ctx.out(`org:   ${oneLine(me.org.slug)} (${oneLine(me.org.name)})`);
      ctx.out(`roles: ${me.roles.length === 0 ? '-' : me.roles.map(oneLine).join(', ')}`);
      ctx.out(`auth:  ${me.authMethod}`);
    });
}
