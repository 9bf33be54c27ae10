import type { BudgetView, QuotaView, SetBudgetInput } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, limitOrDefault, orNull } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { formatTable } from '../output/table.ts';
import { UsageError } from '../usage-error.ts';

export function formatQuotas(items: readonly QuotaView[]): string {
  return formatTable(items, [
    { header: 'NAME', value: (q) => q.name },
    { header: 'KIND', value: (q) => q.kind },
    { header: 'USED', value: (q) => q.used, align: 'right' },
    { header: 'LIMIT', value: (q) => `${q.limit}${q.overridden ? '*' : ''}`, align: 'right' },
    { header: 'REMAINING', value: (q) => q.remaining, align: 'right' },
    { header: 'RESETS', value: (q) => q.period?.resetsAt ?? null },
    { header: 'DESCRIPTION', value: (q) => q.description, maxWidth: 60 },
  ]);
}

export function describeBudget(b: BudgetView): string {
  return formatFields([
    ['Month', b.month],
    ['Used', `${b.used} of ${b.limit} ${b.unit} (${b.percent}%)${b.overridden ? '' : ', default limit'}`],
    ['Remaining', b.remaining],
    [
      'When used up',
      b.mode === 'block' ? 'block (429 budget_exhausted)' : `throttle to ${b.throttlePerMinute}/min`,
    ],
    ['Resets', b.resetsAt],
    ['Alert at 80%', b.alerts.at80],
    ['Alert at 100%', b.alerts.at100],
  ]);
}

/** `quotas`: limits with usage, and admin overrides (ADR 0016). */
export function quotasCommand(program: Command, ctx: CommandContext): void {
  const quotas = program.command('quotas').description("the organization's quotas and their usage");

  quotas
    .command('list')
    .description('every quota with its limit and what is used now (* marks an override)')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const list = await ctx.client(self).quotas.list();
      if (flags.json) return ctx.json(list);
      ctx.out(formatQuotas(list.items));
    });

  quotas
    .command('set')
    .description("override a quota's limit for the organization, or return it to the default")
    .argument('<name>', 'quota name, e.g. servers')
    .argument('<limit>', 'the new limit, or `default`', limitOrDefault)
    .addOption(jsonOption())
    .action(async (name: string, limit: number | 'default', flags: { json?: boolean }, self: Command) => {
      const q = await ctx.client(self).quotas.set(name, orNull(limit));
      if (flags.json) return ctx.json(q);
      ctx.out(formatQuotas([q]));
    });
}

/** `budget`: the monthly API-call budget (ADR 0016). */
export function budgetCommand(program: Command, ctx: CommandContext): void {
  const budget = program.command('budget').description("the organization's monthly API-call budget");

  budget
    .command('show')
    .description("the budget and this month's usage")
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const b = await ctx.client(self).budget.get();
      if (flags.json) return ctx.json(b);
      ctx.out(describeBudget(b));
    });

  budget
    .command('set')
    .description('set the monthly limit and what happens when it is used up')
    .requiredOption('--limit <n>', 'calls per month, or `default`', limitOrDefault)
    .addOption(
      new Option('--mode <mode>', 'when used up: refuse, or slow down').choices(['block', 'throttle']),
    )
    .addOption(jsonOption())
    .action(
      async (
        flags: { limit: number | 'default'; mode?: 'block' | 'throttle'; json?: boolean },
        self: Command,
      ) => {
        if (flags.limit === 'default' && flags.mode !== undefined) {
          throw new UsageError('--limit default returns the whole budget to the default: leave out --mode');
        }
        const body: SetBudgetInput = {
          limit: orNull(flags.limit),
          ...(flags.mode === undefined ? {} : { mode: flags.mode }),
        };
        const b = await ctx.client(self).budget.set(body);
        if (flags.json) return ctx.json(b);
        ctx.out(describeBudget(b));
      },
    );
}
