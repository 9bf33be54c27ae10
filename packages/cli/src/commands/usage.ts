import { USAGE_GROUP_BY, USAGE_OUTCOMES } from '@sprintconnect/contracts';
import type { UsageRecordView, UsageSummaryView } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, positiveInt } from '../options.ts';
import { formatTable } from '../output/table.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';

interface FilterFlags {
  from?: string;
  to?: string;
  server?: string;
  tool?: string;
  principal?: string;
  outcome?: (typeof USAGE_OUTCOMES)[number];
  endpoint?: string;
}

/** The filters both commands take, as the API names them (`from` inclusive, `to` exclusive). */
function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--from <time>', 'records at or after this time (RFC 3339)')
    .option('--to <time>', 'records before this time (RFC 3339)')
    .option('--server <id>', 'only calls to this server')
    .option('--tool <name>', 'only calls of this tool')
    .option('--principal <id>', 'only calls by this API key, user or client')
    .addOption(new Option('--outcome <outcome>', 'only calls with this outcome').choices(USAGE_OUTCOMES))
    .option('--endpoint <slug>', 'only calls through this endpoint (`default` is /mcp)');
}

function filterOf(flags: FilterFlags): FilterFlags {
  const { from, to, server, tool, principal, outcome, endpoint } = flags;
  return Object.fromEntries(
    Object.entries({ from, to, server, tool, principal, outcome, endpoint }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

export function formatUsage(items: readonly UsageRecordView[]): string {
  return formatTable(items, [
    { header: 'AT', value: (r) => r.at },
    { header: 'PRINCIPAL', value: (r) => `${r.principal.kind}:${r.principal.id}`, maxWidth: 48 },
    { header: 'ENDPOINT', value: (r) => r.endpoint, maxWidth: 24 },
    { header: 'SERVER', value: (r) => r.serverId },
    { header: 'TOOL', value: (r) => r.tool, maxWidth: 32 },
    { header: 'OUTCOME', value: (r) => r.outcome },
    { header: 'MS', value: (r) => r.latencyMs, align: 'right' },
    { header: 'IN', value: (r) => r.bytesIn, align: 'right' },
    { header: 'OUT', value: (r) => r.bytesOut, align: 'right' },
  ]);
}

type Sums = UsageSummaryView['totals'];
const keyText = (k: UsageSummaryView['groups'][number]['key']): string =>
  [k.day, k.serverId, k.tool, k.principal && `${k.principal.kind}:${k.principal.id}`, k.endpoint]
    .filter((x) => x !== undefined)
    .join(' ');

export function formatSummary(s: UsageSummaryView): string {
  const rows: { key: string; sums: Sums }[] = [
    ...s.groups.map((g) => ({ key: keyText(g.key), sums: g })),
    { key: 'TOTAL', sums: s.totals },
  ];
  const table = formatTable(rows, [
    { header: s.groupBy === null ? '' : s.groupBy.toUpperCase(), value: (r) => r.key, maxWidth: 80 },
    { header: 'CALLS', value: (r) => r.sums.calls, align: 'right' },
    { header: 'ERRORS', value: (r) => r.sums.errors, align: 'right' },
    { header: 'DENIED', value: (r) => r.sums.denied, align: 'right' },
    { header: 'P50 MS', value: (r) => r.sums.latencyMs.p50, align: 'right' },
    { header: 'P95 MS', value: (r) => r.sums.latencyMs.p95, align: 'right' },
    { header: 'IN', value: (r) => r.sums.bytesIn, align: 'right' },
    { header: 'OUT', value: (r) => r.sums.bytesOut, align: 'right' },
  ]);
  return s.truncated ? `${table}\n(more groups: raise --limit)` : table;
}

/** `usage`: the usage records of gateway calls (GET /v1/usage), listed and summed (ADR 0042). */
export function usageCommand(program: Command, ctx: CommandContext): void {
  const usage = program.command('usage').description('usage records of calls through the MCP gateway');

  addPageOptions(
    addFilterOptions(usage.command('list').description('usage records, newest first')),
    'records',
  )
    .addOption(jsonOption())
    .action(async (flags: PageFlags & FilterFlags & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const filter = filterOf(flags);
      const page = await readPage(
        flags,
        (p) => client.usage.list({ ...filter, ...p }),
        (p) => client.usage.all({ ...filter, ...p }),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no usage records' : formatUsage(page.items));
      notePages(ctx, page);
    });

  addFilterOptions(
    usage
      .command('summary')
      .description('calls, errors, denials, latency and bytes: in total and per group')
      .addOption(
        new Option('--group-by <what>', 'sum per server, tool, principal, endpoint or day').choices(
          USAGE_GROUP_BY,
        ),
      )
      .addOption(new Option('--limit <n>', 'most groups (1-1000)').argParser(positiveInt)),
  )
    .addOption(jsonOption())
    .action(
      async (
        flags: FilterFlags & { groupBy?: (typeof USAGE_GROUP_BY)[number]; limit?: number; json?: boolean },
        self: Command,
      ) => {
        const s = await ctx.client(self).usage.summary({
          ...filterOf(flags),
          ...(flags.groupBy === undefined ? {} : { groupBy: flags.groupBy }),
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        });
        if (flags.json) return ctx.json(s);
        ctx.out(formatSummary(s));
      },
    );
}
