import type { ApiKeyScope } from '@sprintconnect/contracts';
import type { CreateOAuthClientInput, OAuthClientView, SprintConnectClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { pickOne } from '../resolve/pick.ts';
import { scopeList } from './api-keys.ts';

const COLUMNS = [
  { header: 'CLIENT ID', value: (c: OAuthClientView) => c.clientId },
  { header: 'NAME', value: (c: OAuthClientView) => c.name, maxWidth: 40 },
  { header: 'SCOPES', value: (c: OAuthClientView) => c.scopes.join(','), maxWidth: 50 },
];

// Client ids are `scc_` and 16 base64url characters (ci-clients.ts); anything else is a name.
const CLIENT_ID = /^scc_[A-Za-z0-9_-]{16}$/;

/** A CI client named on the command line: its client id, or its name when one client has it. */
export async function clientIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (CLIENT_ID.test(ref)) return ref;
  const { items } = await client.oauthClients.list();
  return pickOne(
    ref,
    items.filter((c) => c.name === ref),
    { what: 'OAuth client', columns: COLUMNS, listCommand: 'sprintconnect oauth-clients list' },
  ).clientId;
}

interface CreateFlags {
  name: string;
  scope: ApiKeyScope[];
  role: string[];
  dpop?: boolean;
  json?: boolean;
}

export function createClientBody(flags: CreateFlags): CreateOAuthClientInput {
  const body: CreateOAuthClientInput = { name: flags.name, scopes: [...new Set(flags.scope)] };
  if (flags.role.length > 0) body.roles = [...new Set(flags.role)];
  if (flags.dpop) body.dpopBound = true;
  return body;
}

/** `oauth-clients`: CI clients for client_credentials at /oidc/token (story 8.1, ADR 0012). */
export function oauthClientsCommand(program: Command, ctx: CommandContext): void {
  const clients = program.command('oauth-clients').description('CI clients (OAuth client_credentials)');

  clients
    .command('list')
    .description('the CI clients of the organization (never their secrets)')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const list = await ctx.client(self).oauthClients.list();
      if (flags.json) return ctx.json(list);
      ctx.out(list.items.length === 0 ? 'no OAuth clients' : formatTable(list.items, COLUMNS));
    });

  clients
    .command('create')
    .description('register a CI client; its secret is printed once, store it then')
    .requiredOption('--name <name>', 'what the client is, e.g. github-actions')
    .requiredOption('--scope <scope>', 'a scope it may ask for (repeatable, or comma-separated)', scopeList)
    .option(
      '--role <role>',
      'a role it gets, within your own permissions (repeatable, or comma-separated)',
      collectList,
      [],
    )
    .option('--dpop', 'require DPoP-bound access tokens (RFC 9449)')
    .addOption(jsonOption('print the API response (with `clientSecret`) as JSON on stdout'))
    .action(async (flags: CreateFlags, self: Command) => {
      const created = await ctx.client(self).oauthClients.create(createClientBody(flags));
      if (flags.json) return ctx.json(created);
      ctx.out(
        formatFields([
          ['Client id', created.clientId],
          ['Client secret', created.clientSecret],
          ['Name', created.name],
          ['Scopes', created.scopes.join(', ')],
          ['Roles', created.roles.length === 0 ? null : created.roles.join(', ')],
          ['DPoP-bound', created.dpopBound ? 'yes' : 'no'],
          ['Token endpoint', created.tokenEndpoint],
        ]),
      );
      ctx.err('Store the secret now: it is not shown again.');
    });

  clients
    .command('delete')
    .description('remove a CI client (it can no longer get tokens; its roles and API keys go with it)')
    .argument('<client>', 'client id or name')
    .option('--force', 'even if it is the last credential able to administer the organization')
    .action(async (ref: string, flags: { force?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const id = await clientIdFor(client, ref);
      await client.oauthClients.delete(id, { force: flags.force === true });
      ctx.out(`deleted OAuth client ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });
}
