import type { SprintConnectClient, User } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { UsageError } from '../usage-error.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';

export const USER_COLUMNS = [
  { header: 'ID', value: (u: User) => u.id },
  { header: 'EMAIL', value: (u: User) => u.email, maxWidth: 40 },
  { header: 'NAME', value: (u: User) => u.name, maxWidth: 30 },
  { header: 'STATUS', value: (u: User) => u.status },
  { header: 'ROLES', value: (u: User) => u.roles.join(','), maxWidth: 40 },
  { header: 'LAST LOGIN', value: (u: User) => u.lastLoginAt },
];

export function describeUser(u: User): string {
  return formatFields([
    ['ID', u.id],
    ['Email', u.email],
    ['Name', u.name],
    ['Status', u.status],
    ['Roles', u.roles.length === 0 ? null : u.roles.join(', ')],
    ['Permissions', u.effectivePermissions.length === 0 ? null : u.effectivePermissions.join(', ')],
    ['Last login', u.lastLoginAt],
    ['Created', u.createdAt],
  ]);
}

/** A user named on the command line: their id or their email (compared case-insensitively). */
export async function userIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const wanted = ref.trim().toLowerCase();
  const matches: User[] = [];
  if (wanted !== '' && wanted.length <= 200) {
    for await (const u of client.users.all({ q: ref.trim() }))
      if (u.email.toLowerCase() === wanted) matches.push(u);
  }
  return pickOne(ref, matches, {
    what: 'user',
    matched: 'with the email',
    columns: USER_COLUMNS.slice(0, 3),
    listCommand: 'sprintconnect users list',
  }).id;
}

interface ListFlags extends PageFlags {
  query?: string;
  status?: 'active' | 'disabled';
  role?: string;
  json?: boolean;
}

/** `users`: the org's users and their roles (story 1.3). Users come from sign-in (SSO or the local owner). */
export function usersCommand(program: Command, ctx: CommandContext): void {
  const users = program.command('users').description('users of the organization and their roles');

  addPageOptions(
    users
      .command('list')
      .description('users with their roles')
      .option('-q, --query <text>', 'text in the email or name')
      .addOption(new Option('--status <status>', 'only users in this state').choices(['active', 'disabled']))
      .option('--role <role>', 'only users holding this role'),
    'users',
  )
    .addOption(jsonOption())
    .action(async (flags: ListFlags, self: Command) => {
      const client = ctx.client(self);
      const filter = {
        ...(flags.query === undefined ? {} : { q: flags.query }),
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.role === undefined ? {} : { role: flags.role }),
      };
      const page = await readPage(
        flags,
        (p) => client.users.list({ ...filter, ...p }),
        (p) => client.users.all({ ...filter, ...p }),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no users' : formatTable(page.items, USER_COLUMNS));
      notePages(ctx, page);
    });

  users
    .command('show')
    .description('a user with their roles and effective permissions')
    .argument('<user>', 'user id or email')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const user = await client.users.get(await userIdFor(client, ref));
      if (flags.json) return ctx.json(user);
      ctx.out(describeUser(user));
    });

  users
    .command('set-roles')
    .description("replace a user's roles with these (the complete list)")
    .argument('<user>', 'user id or email')
    .argument('[roles...]', 'role names (also comma-separated)')
    .option('--none', 'take every role away')
    .option('--force', 'even if no credential able to administer the organization would be left')
    .addOption(jsonOption())
    .action(
      async (
        ref: string,
        names: string[],
        flags: { none?: boolean; force?: boolean; json?: boolean },
        self: Command,
      ) => {
        const roles = [...new Set(names.reduce<string[]>((acc, n) => collectList(n, acc), []))];
        if (roles.length === 0 && !flags.none) {
          throw new UsageError('give the roles the user should have (or --none to take every role away)');
        }
        if (roles.length > 0 && flags.none) throw new UsageError('give roles or --none, not both');
        const client = ctx.client(self);
        const user = await client.users.setRoles(await userIdFor(client, ref), roles, {
          force: flags.force === true,
        });
        if (flags.json) return ctx.json(user);
        ctx.out(
          `${oneLine(user.email)} now has ${user.roles.length === 0 ? 'no roles' : `the roles ${user.roles.join(', ')}`}`,
        );
      },
    );
}
