import type { MeView } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';

const KIND: Record<MeView['kind'], string> = { user: 'user', client: 'OAuth client', api_key: 'API key' };

export function describeMe(me: MeView): string {
  // A person is known by name and email; a key or a client by its name, with the id to manage it by.
  const who =
    me.kind === 'user'
      ? `${oneLine(me.name)}${me.email === null ? '' : ` <${oneLine(me.email)}>`} (${KIND[me.kind]})`
      : `${oneLine(me.name)} (${KIND[me.kind]} ${oneLine(me.id)})`;
  return [
    who,
    formatFields([
      ['org:', `${me.org.slug} (${me.org.name})`],
      ['roles:', me.roles.length === 0 ? null : me.roles.join(', ')],
      ['scopes:', me.scopes.length === 0 ? null : me.scopes.join(', ')],
      ['auth:', me.authMethod],
    ]),
  ].join('\n');
}

/** `whoami`: who the API sees (GET /v1/me), with the API key or the stored login. */
export function whoamiCommand(program: Command, ctx: CommandContext): void {
  program
    .command('whoami')
    .description('show the user, client or API key the CLI acts as')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const me = await ctx.client(self).me();
      if (flags.json) return ctx.json(me);
      ctx.out(describeMe(me));
    });
}
