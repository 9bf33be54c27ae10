import { API_KEY_SCOPES, type ApiKeyScope } from '@sprintconnect/contracts';
import type { ApiKeyView, CreateApiKeyInput, SprintConnectClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption, limitOrDefault, orNull, positiveInt } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { UsageError } from '../usage-error.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';

const STATES = ['active', 'expired', 'revoked'] as const;

export const API_KEY_COLUMNS = [
  { header: 'ID', value: (k: ApiKeyView) => k.id },
  { header: 'NAME', value: (k: ApiKeyView) => k.name, maxWidth: 32 },
  { header: 'PREFIX', value: (k: ApiKeyView) => k.prefix },
  { header: 'SCOPES', value: (k: ApiKeyView) => k.scopes.join(','), maxWidth: 40 },
  { header: 'ROLES', value: (k: ApiKeyView) => k.roles.join(','), maxWidth: 32 },
  { header: 'STATE', value: (k: ApiKeyView) => k.state },
  { header: 'EXPIRES', value: (k: ApiKeyView) => k.expiresAt },
  { header: 'LAST USED', value: (k: ApiKeyView) => k.lastUsedAt },
];

export function describeApiKey(k: ApiKeyView): string {
  return formatFields([
    ['ID', k.id],
    ['Name', k.name],
    ['Description', k.description === '' ? null : k.description],
    ['Prefix', k.prefix],
    ['Scopes', k.scopes.length === 0 ? null : k.scopes.join(', ')],
    ['Roles', k.roles.length === 0 ? null : k.roles.join(', ')],
    ['Rate limit', k.rateLimit === null ? 'the deployment limit' : `${k.rateLimit} requests per minute`],
    ['State', k.state],
    ['Created', `${k.createdAt} by ${k.createdBy}`],
    ['Expires', k.expiresAt ?? 'never'],
    ['Last used', k.lastUsedAt],
    ['Revoked', k.revokedAt],
  ]);
}

/** Scopes from repeated or comma-separated `--scope`, each one the API knows (else exit 2). */
export function scopeList(value: string, previous: readonly ApiKeyScope[] = []): ApiKeyScope[] {
  const known = new Set<string>(API_KEY_SCOPES);
  const added = collectList(value);
  for (const s of added) {
    if (!known.has(s)) throw new InvalidArgumentError(`unknown scope "${s}" (see docs/scopes.md).`);
  }
  return [...previous, ...(added as ApiKeyScope[])];
}

/**
 * A key named on the command line: its id, or the name of one active key (revoked and expired keys keep
 * their names; they are history, named by id).
 */
export async function apiKeyIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const matches: ApiKeyView[] = [];
  for await (const k of client.apiKeys.all({ state: 'active' })) if (k.name === ref) matches.push(k);
  return pickOne(ref, matches, {
    what: 'active API key',
    columns: API_KEY_COLUMNS.slice(0, 5),
    listCommand: 'sprintconnect api-keys list',
  }).id;
}

interface CreateFlags {
  name: string;
  scope: ApiKeyScope[];
  role: string[];
  rateLimit?: number;
  description?: string;
  expiresInDays?: number;
  expiresAt?: string;
  json?: boolean;
}

export function createKeyBody(flags: CreateFlags): CreateApiKeyInput {
  if (flags.expiresAt !== undefined && flags.expiresInDays !== undefined) {
    throw new UsageError('give --expires-at or --expires-in-days, not both');
  }
  if (flags.scope.length === 0 && flags.role.length === 0) {
    throw new UsageError('give the key at least one --scope or --role');
  }
  const body: CreateApiKeyInput = { name: flags.name, scopes: [...new Set(flags.scope)] };
  if (flags.role.length > 0) body.roles = [...new Set(flags.role)];
  if (flags.rateLimit !== undefined) body.rateLimit = flags.rateLimit;
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.expiresInDays !== undefined) body.expiresInDays = flags.expiresInDays;
  if (flags.expiresAt !== undefined) body.expiresAt = flags.expiresAt;
  return body;
}

/** `api-keys`: list (never secrets), create (the key is shown once), show and revoke. */
export function apiKeysCommand(program: Command, ctx: CommandContext): void {
  const keys = program.command('api-keys').description('API keys of the organization');

  addPageOptions(
    keys
      .command('list')
      .description('list API keys, newest first (never their secrets)')
      .addOption(new Option('--state <state>', 'only keys in this state').choices(STATES)),
    'keys',
  )
    .addOption(jsonOption())
    .action(async (flags: PageFlags & { state?: (typeof STATES)[number]; json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const state = flags.state === undefined ? {} : { state: flags.state };
      const page = await readPage(
        flags,
        (p) => client.apiKeys.list({ ...state, ...p }),
        (p) => client.apiKeys.all({ ...state, ...p }),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no API keys' : formatTable(page.items, API_KEY_COLUMNS));
      notePages(ctx, page);
    });

  keys
    .command('show')
    .description('one API key')
    .argument('<key>', 'key id, or the name of an active key')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const key = await client.apiKeys.get(await apiKeyIdFor(client, ref));
      if (flags.json) return ctx.json(key);
      ctx.out(describeApiKey(key));
    });

  keys
    .command('create')
    .description('create an API key; the key is printed once, store it then')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(
      new Option('--scope <scope>', 'a scope, e.g. servers:write (repeatable, or comma-separated)')
        .argParser(scopeList)
        .default([], 'none'),
    )
    .addOption(
      new Option(
        '--role <role>',
        'a role the key holds, e.g. analyst: its permissions and policies apply (repeatable, or comma-separated)',
      )
        .argParser(collectList)
        .default([], 'none'),
    )
    .addOption(
      new Option(
        '--rate-limit <per-minute>',
        "the key's own requests per minute (default: the deployment limit)",
      ).argParser(positiveInt),
    )
    .option('--description <text>', 'longer description')
    .addOption(
      new Option('--expires-in-days <days>', 'expire after this many days (1-3650)').argParser(positiveInt),
    )
    .option('--expires-at <time>', 'expire at this time (ISO 8601)')
    .addOption(jsonOption('print the API response (with the key in `token`) as JSON on stdout'))
    .action(async (flags: CreateFlags, self: Command) => {
      const created = await ctx.client(self).apiKeys.create(createKeyBody(flags));
      if (flags.json) return ctx.json(created);
      ctx.out(describeApiKey(created));
      ctx.out(`Key  ${created.token}`);
      ctx.err('Store the key now: SprintConnect keeps only a hash of it and cannot show it again.');
    });

  keys
    .command('update')
    .description("change an API key's own rate limit (its scopes and roles cannot change: make a new key)")
    .argument('<key>', 'key id, or the name of an active key')
    .requiredOption(
      '--rate-limit <per-minute|default>',
      'requests per minute, or `default` for the deployment limit',
      limitOrDefault,
    )
    .addOption(jsonOption())
    .action(async (ref: string, flags: { rateLimit: number | 'default'; json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const key = await client.apiKeys.update(await apiKeyIdFor(client, ref), {
        rateLimit: orNull(flags.rateLimit),
      });
      if (flags.json) return ctx.json(key);
      ctx.out(describeApiKey(key));
    });

  keys
    .command('revoke')
    .description('revoke an API key (effective everywhere within a second)')
    .argument('<key>', 'key id, or the name of an active key')
    .option('--force', 'even if it is the last credential able to administer the organization')
    .action(async (ref: string, flags: { force?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const id = await apiKeyIdFor(client, ref);
      await client.apiKeys.revoke(id, { force: flags.force === true });
      ctx.out(`revoked API key ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });
}
