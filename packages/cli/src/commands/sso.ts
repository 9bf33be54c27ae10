import type { SsoConfigInput, SsoConfigView } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { secretFromEnv } from '../config.ts';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';

export function describeSso(c: SsoConfigView): string {
  return formatFields([
    ['Issuer', c.issuer],
    ['Client id', c.clientId],
    ['Client secret', c.clientSecretSet ? 'set (never shown)' : 'not set'],
    ['Email domains', c.allowedEmailDomains.length === 0 ? 'any' : c.allowedEmailDomains.join(', ')],
    ['Redirect URI', c.redirectUri],
    ['Login URL', c.loginUrl],
    ['Updated', c.updatedAt],
  ]);
}

interface SetFlags {
  issuer: string;
  clientId: string;
  clientSecretEnv?: string;
  allowedDomain: string[];
  json?: boolean;
}

/** `sso`: the organization's OpenID provider for sign-in (story 1.1, ADR 0010). */
export function ssoCommand(program: Command, ctx: CommandContext): void {
  const sso = program.command('sso').description("the organization's single sign-on (OpenID Connect)");

  sso
    .command('show')
    .description('the configuration (the client secret is never returned)')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const c = await ctx.client(self).sso.get();
      if (flags.json) return ctx.json(c);
      ctx.out(describeSso(c));
    });

  sso
    .command('set')
    .description('configure the OpenID provider (discovered from the issuer before saving)')
    .requiredOption('--issuer <url>', 'issuer URL')
    .requiredOption('--client-id <id>', 'the client id SprintConnect has at the provider')
    .option(
      '--client-secret-env <VAR>',
      'read the client secret from this environment variable (needed the first time)',
    )
    .option(
      '--allowed-domain <domain>',
      'only emails in these domains may sign in (repeatable, or comma-separated)',
      collectList,
      [],
    )
    .addOption(jsonOption())
    .action(async (flags: SetFlags, self: Command) => {
      const body: SsoConfigInput = { issuer: flags.issuer, clientId: flags.clientId };
      if (flags.clientSecretEnv !== undefined) {
        body.clientSecret = secretFromEnv(ctx.deps.env, flags.clientSecretEnv, '--client-secret-env');
      }
      if (flags.allowedDomain.length > 0) body.allowedEmailDomains = [...new Set(flags.allowedDomain)];
      const c = await ctx.client(self).sso.put(body);
      if (flags.json) return ctx.json(c);
      ctx.out(describeSso(c));
      ctx.out(`Register the redirect URI ${c.redirectUri} at the provider.`);
    });
}
