import type { SprintConnectClient, TrustedIssuer } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';

const COLUMNS = [
  { header: 'ID', value: (i: TrustedIssuer) => i.id },
  { header: 'ISSUER', value: (i: TrustedIssuer) => i.issuer, maxWidth: 50 },
  { header: 'AUDIENCE', value: (i: TrustedIssuer) => i.audience, maxWidth: 40 },
  { header: 'JWKS URI', value: (i: TrustedIssuer) => i.jwksUri, maxWidth: 60 },
];

/** A trusted issuer named on the command line: its id, or its issuer URL when one entry has it. */
export async function issuerIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const { items } = await client.trustedIssuers.list();
  return pickOne(
    ref,
    items.filter((i) => i.issuer === ref),
    {
      what: 'trusted issuer',
      matched: 'with the issuer',
      narrow: 'several audiences are trusted for it',
      columns: COLUMNS,
      listCommand: 'sprintconnect trusted-issuers list',
    },
  ).id;
}

/** `trusted-issuers`: identity providers whose access tokens the org accepts (story 8.6, ADR 0022). */
export function trustedIssuersCommand(program: Command, ctx: CommandContext): void {
  const issuers = program
    .command('trusted-issuers')
    .description('identity providers whose access tokens the organization accepts');

  issuers
    .command('list')
    .description('the trusted issuers')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const list = await ctx.client(self).trustedIssuers.list();
      if (flags.json) return ctx.json(list);
      ctx.out(list.items.length === 0 ? 'no trusted issuers' : formatTable(list.items, COLUMNS));
    });

  issuers
    .command('add')
    .description('trust the access tokens of an identity provider')
    .requiredOption('--issuer <url>', 'the exact `iss` of its tokens (https; http only on loopback)')
    .requiredOption('--audience <aud>', 'the `aud` its tokens must carry')
    .requiredOption('--jwks-uri <url>', 'where its signing keys are published')
    .addOption(jsonOption())
    .action(
      async (flags: { issuer: string; audience: string; jwksUri: string; json?: boolean }, self: Command) => {
        const added = await ctx
          .client(self)
          .trustedIssuers.add({ issuer: flags.issuer, audience: flags.audience, jwksUri: flags.jwksUri });
        if (flags.json) return ctx.json(added);
        ctx.out(
          formatFields([
            ['ID', added.id],
            ['Issuer', added.issuer],
            ['Audience', added.audience],
            ['JWKS URI', added.jwksUri],
          ]),
        );
      },
    );

  issuers
    .command('remove')
    .description('stop trusting an identity provider (its tokens are refused within 30 seconds)')
    .argument('<issuer>', 'id, or the issuer URL')
    .action(async (ref: string, _flags: unknown, self: Command) => {
      const client = ctx.client(self);
      const id = await issuerIdFor(client, ref);
      await client.trustedIssuers.remove(id);
      ctx.out(`removed trusted issuer ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });
}
