import type { InvitedUser, SprintConnectClient, User } from '@sprintconnect/sdk';
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

const STATUSES = ['invited', 'active', 'disabled'] as const;

interface ListFlags extends PageFlags {
  query?: string;
  status?: (typeof STATUSES)[number];
  role?: string;
  json?: boolean;
}

/** An invitation as the person who sends it needs it: who, and the link (printed once). */
function printInvitation(ctx: CommandContext, created: InvitedUser): void {
  ctx.out(describeUser(created.user));
  ctx.out(`Invitation link  ${created.invitation.url}`);
  ctx.out(`Expires          ${created.invitation.expiresAt}`);
  ctx.err('Send the link to the person: it works once, and SprintConnect cannot show it again.');
}

/**
 * `users`: the org's users and their roles (story 1.3); invitations and deactivation (issue 10 point 5). Users
 * also come from sign-in (SSO or the local owner).
 */
export function usersCommand(program: Command, ctx: CommandContext): void {
  const users = program.command('users').description('users of the organization and their roles');

  addPageOptions(
    users
      .command('list')
      .description('users with their roles')
      .option('-q, --query <text>', 'text in the email or name')
      .addOption(new Option('--status <status>', 'only users in this state').choices(STATUSES))
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

  users
    .command('invite')
    .description('invite a local user; prints the single-use invitation link once')
    .requiredOption('--email <email>', 'the address the invitation is for')
    .option('--role <role>', 'a role the user gets (repeatable, or comma-separated)', collectList, [])
    .option('--name <name>', "the person's name")
    .addOption(jsonOption('print the API response (with the link in `invitation.url`) as JSON on stdout'))
    .action(
      async (flags: { email: string; role: string[]; name?: string; json?: boolean }, self: Command) => {
        const created = await ctx.client(self).users.invite({
          email: flags.email,
          roles: [...new Set(flags.role)],
          ...(flags.name === undefined ? {} : { name: flags.name }),
        });
        if (flags.json) return ctx.json(created);
        printInvitation(ctx, created);
      },
    );

  users
    .command('reinvite')
    .description('a new invitation link for a user who has not accepted one; earlier links stop working')
    .argument('<user>', 'user id or email')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const created = await client.users.reinvite(await userIdFor(client, ref));
      if (flags.json) return ctx.json(created);
      printInvitation(ctx, created);
    });

  for (const [name, description] of [
    ['deactivate', 'stop a user: sign-in refused, sessions and tokens end (everywhere within a second)'],
    ['reactivate', 'let a deactivated user sign in again'],
  ] as const) {
    users
      .command(name)
      .description(description)
      .argument('<user>', 'user id or email')
      .addOption(jsonOption())
      .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
        const client = ctx.client(self);
        const id = await userIdFor(client, ref);
        const user =
          name === 'deactivate' ? await client.users.deactivate(id) : await client.users.reactivate(id);
        if (flags.json) return ctx.json(user);
        ctx.out(`${oneLine(user.email)} is ${user.status === 'disabled' ? 'deactivated' : user.status}`);
      });
  }
}
