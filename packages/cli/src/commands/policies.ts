import type { EffectivePolicySet, Policy, PolicyVersion, SprintConnectClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, positiveInt } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine, printable } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';
import { policiesApplyCommand } from './policies-apply.ts';
import { policiesDryRunCommand } from './policies-dry-run.ts';

export const POLICY_COLUMNS = [
  { header: 'ID', value: (p: Policy) => p.id },
  { header: 'NAME', value: (p: Policy) => p.name, maxWidth: 40 },
  { header: 'ENABLED', value: (p: Policy) => (p.enabled ? 'yes' : 'no') },
  { header: 'UPDATED', value: (p: Policy) => p.updatedAt },
  { header: 'DESCRIPTION', value: (p: Policy) => p.description, maxWidth: 50 },
];

export function describePolicy(p: Policy): string {
  const head = formatFields([
    ['ID', p.id],
    ['Name', p.name],
    ['Policy id', p.policyId],
    ['Description', p.description === '' ? null : p.description],
    ['Enabled', p.enabled ? 'yes' : 'no'],
    ['Created', p.createdAt],
    ['Updated', p.updatedAt],
  ]);
  return `${head}\n\n${printable(p.policy)}`;
}

export function formatPolicyVersions(items: readonly PolicyVersion[]): string {
  if (items.length === 0) return 'no versions yet (no org policy was ever written)';
  return formatTable(items, [
    { header: 'VERSION', value: (v) => v.version, align: 'right' },
    { header: 'CHANGE', value: (v) => v.change },
    { header: 'RESTORED FROM', value: (v) => v.restoredFrom },
    { header: 'POLICIES', value: (v) => v.policies.map((p) => p.name).join(','), maxWidth: 50 },
    { header: 'BY', value: (v) => v.createdBy, maxWidth: 45 },
    { header: 'AT', value: (v) => v.createdAt },
  ]);
}

export function formatEffective(set: EffectivePolicySet): string {
  const head = `policy set ${set.version} (org policies version ${set.orgVersion}, time zone ${set.timeZone})`;
  return [head, ...set.policies.map((p) => `\n// ${p.id} (${p.source})\n${printable(p.policy)}`)].join('\n');
}

/** A policy named on the command line: its id or its name (unique in the organization). */
export async function policyFor(client: SprintConnectClient, ref: string): Promise<Policy> {
  if (isUuid(ref)) return client.policies.get(ref);
  const matches: Policy[] = [];
  for await (const p of client.policies.all()) if (p.name === ref) matches.push(p);
  return pickOne(ref, matches, {
    what: 'policy',
    columns: POLICY_COLUMNS.slice(0, 2),
    listCommand: 'sprintconnect policies list',
  });
}

/** `policies`: the org's Cedar policies (docs/policies.md, ADR 0019). */
export function policiesCommand(program: Command, ctx: CommandContext): void {
  const policies = program.command('policies').description("the organization's Cedar policies");

  addPageOptions(policies.command('list').description('org policies'), 'policies')
    .addOption(jsonOption())
    .action(async (flags: PageFlags & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const page = await readPage(
        flags,
        (p) => client.policies.list(p),
        () => client.policies.all(),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no org policies' : formatTable(page.items, POLICY_COLUMNS));
      notePages(ctx, page);
    });

  policies
    .command('show')
    .description('one org policy with its Cedar text')
    .argument('<policy>', 'policy name or id')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const p = await policyFor(ctx.client(self), ref);
      if (flags.json) return ctx.json(p);
      ctx.out(describePolicy(p));
    });

  policiesApplyCommand(policies, ctx);

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    policies
      .command(name)
      .description(`${name} an org policy (a new version)`)
      .argument('<policy>', 'policy name or id')
      .action(async (ref: string, _flags: unknown, self: Command) => {
        const client = ctx.client(self);
        const p = await client.policies.update((await policyFor(client, ref)).id, { enabled });
        ctx.out(`${name}d policy ${oneLine(p.name)}`);
      });
  }

  policies
    .command('delete')
    .description('delete an org policy (a new version; restore brings it back)')
    .argument('<policy>', 'policy name or id')
    .action(async (ref: string, _flags: unknown, self: Command) => {
      const client = ctx.client(self);
      const p = await policyFor(client, ref);
      await client.policies.delete(p.id);
      ctx.out(`deleted policy ${oneLine(p.name)} (${p.id})`);
    });

  policies
    .command('effective')
    .description('the whole set the organization runs: system, role and org policies')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const set = await ctx.client(self).policies.effective();
      if (flags.json) return ctx.json(set);
      ctx.out(formatEffective(set));
    });

  addPageOptions(
    policies.command('versions').description('versions of the org policies, newest first'),
    'versions',
  )
    .addOption(jsonOption())
    .action(async (flags: PageFlags & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const page = await readPage(
        flags,
        (p) => client.policies.versions(p),
        (p) => client.policies.allVersions(p),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(formatPolicyVersions(page.items));
      notePages(ctx, page);
    });

  policies
    .command('restore')
    .description('write the org policies of a version back, as a new version')
    .argument('<version>', 'version number', positiveInt)
    .addOption(jsonOption())
    .action(async (n: number, flags: { json?: boolean }, self: Command) => {
      const v = await ctx.client(self).policies.restore(n);
      if (flags.json) return ctx.json(v);
      ctx.out(`restored version ${n} as version ${v.version}: ${v.policies.length} org policies`);
    });

  policiesDryRunCommand(policies, ctx);
}
