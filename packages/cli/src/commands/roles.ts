import type { CreateRoleInput, Role, SprintConnectClient, UpdateRoleInput } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { UsageError } from '../usage-error.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';

export const ROLE_COLUMNS = [
  { header: 'ID', value: (r: Role) => r.id },
  { header: 'NAME', value: (r: Role) => r.name, maxWidth: 32 },
  { header: 'BUILT-IN', value: (r: Role) => (r.builtIn ? 'yes' : 'no') },
  { header: 'EXTENDS', value: (r: Role) => r.extends },
  { header: 'PERMISSIONS', value: (r: Role) => r.effectivePermissions.length, align: 'right' as const },
  { header: 'DESCRIPTION', value: (r: Role) => r.description, maxWidth: 50 },
];

export function describeRole(r: Role): string {
  return formatFields([
    ['ID', r.id],
    ['Name', r.name],
    ['Description', r.description === '' ? null : r.description],
    ['Built-in', r.builtIn ? 'yes' : 'no'],
    ['Extends', r.extends],
    ['Permissions', r.permissions.length === 0 ? null : r.permissions.join(', ')],
    ['Effective', r.effectivePermissions.length === 0 ? null : r.effectivePermissions.join(', ')],
    ['Created', r.createdAt],
    ['Updated', r.updatedAt],
  ]);
}

/** A role named on the command line: its id or its name (unique in the organization). */
export async function roleIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const matches: Role[] = [];
  for await (const r of client.roles.all()) if (r.name === ref) matches.push(r);
  return pickOne(ref, matches, {
    what: 'role',
    columns: ROLE_COLUMNS.slice(0, 2),
    listCommand: 'sprintconnect roles list',
  }).id;
}

interface RoleFlags {
  name?: string;
  description?: string;
  extends?: string | false;
  permission: string[];
  json?: boolean;
}

export function createRoleBody(flags: RoleFlags & { name: string }): CreateRoleInput {
  const body: CreateRoleInput = { name: flags.name, permissions: [...new Set(flags.permission)] };
  if (flags.description !== undefined) body.description = flags.description;
  if (typeof flags.extends === 'string') body.extends = flags.extends;
  return body;
}

export function updateRoleBody(flags: RoleFlags & { clearPermissions?: boolean }): UpdateRoleInput {
  const body: UpdateRoleInput = {};
  if (flags.name !== undefined) body.name = flags.name;
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.extends === false) body.extends = null;
  if (typeof flags.extends === 'string') body.extends = flags.extends;
  if (flags.permission.length > 0 && flags.clearPermissions) {
    throw new UsageError('give --permission or --clear-permissions, not both');
  }
  if (flags.permission.length > 0) body.permissions = [...new Set(flags.permission)];
  if (flags.clearPermissions) body.permissions = [];
  if (Object.keys(body).length === 0)
    throw new UsageError('nothing to change: give at least one field to set');
  return body;
}

const permissionHelp =
  'a permission from docs/permissions.md, e.g. audit:read (repeatable, or comma-separated)';

/** `roles`: the built-in roles and the org's custom ones (story 1.3). */
export function rolesCommand(program: Command, ctx: CommandContext): void {
  const roles = program.command('roles').description('roles: named sets of permissions');

  addPageOptions(roles.command('list').description('built-in and custom roles, oldest first'), 'roles')
    .addOption(jsonOption())
    .action(async (flags: PageFlags & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const page = await readPage(
        flags,
        (p) => client.roles.list(p),
        () => client.roles.all(),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(formatTable(page.items, ROLE_COLUMNS));
      notePages(ctx, page);
    });

  roles
    .command('show')
    .description('a role with its own and inherited permissions')
    .argument('<role>', 'role name or id')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const role = await client.roles.get(await roleIdFor(client, ref));
      if (flags.json) return ctx.json(role);
      ctx.out(describeRole(role));
    });

  roles
    .command('create')
    .description('create a custom role')
    .requiredOption('--name <name>', 'lower-case name, e.g. release-manager')
    .option('--permission <permission>', permissionHelp, collectList, [])
    .option('--extends <role>', 'inherit the permissions of this role')
    .option('--description <text>', 'what the role is for')
    .addOption(jsonOption())
    .action(async (flags: RoleFlags & { name: string }, self: Command) => {
      const role = await ctx.client(self).roles.create(createRoleBody(flags));
      if (flags.json) return ctx.json(role);
      ctx.out(`created role ${oneLine(role.name)} (${role.id})`);
      ctx.out(describeRole(role));
    });

  roles
    .command('update')
    .description('change a custom role (only the fields given)')
    .argument('<role>', 'role name or id')
    .option('--name <name>', 'new name')
    .option(
      '--permission <permission>',
      `replace its own permissions with these: ${permissionHelp}`,
      collectList,
      [],
    )
    .option('--clear-permissions', 'remove all its own permissions')
    .option('--extends <role>', 'inherit from this role')
    .option('--no-extends', 'inherit from no role')
    .option('--description <text>', 'new description')
    .addOption(jsonOption())
    .action(async (ref: string, flags: RoleFlags & { clearPermissions?: boolean }, self: Command) => {
      const body = updateRoleBody(flags);
      const client = ctx.client(self);
      const role = await client.roles.update(await roleIdFor(client, ref), body);
      if (flags.json) return ctx.json(role);
      ctx.out(`updated role ${oneLine(role.name)} (${role.id})`);
      ctx.out(describeRole(role));
    });

  roles
    .command('delete')
    .description('delete a custom role')
    .argument('<role>', 'role name or id')
    .action(async (ref: string, _flags: unknown, self: Command) => {
      const client = ctx.client(self);
      const id = await roleIdFor(client, ref);
      await client.roles.delete(id);
      ctx.out(`deleted role ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });
}
