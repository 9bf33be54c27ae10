import type { SearchParams, SearchResult } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, environmentOption, jsonOption, positiveInt, tagOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { UsageError } from '../usage-error.ts';

interface SearchFlags {
  fuzzy?: boolean;
  environment?: SearchParams['environment'];
  tag: string[];
  limit?: number;
  json?: boolean;
}

type Item = SearchResult['items'][number];

/** Terms may be separate words or comma-separated; servers must match all of them. */
export function searchParams(terms: readonly string[], flags: SearchFlags): SearchParams {
  const capability = terms.reduce<string[]>((acc, t) => collectList(t, acc), []);
  if (capability.length === 0) throw new UsageError('give at least one capability term');
  const q: SearchParams = { capability };
  if (flags.fuzzy) q.fuzzy = true;
  if (flags.environment !== undefined) q.environment = flags.environment;
  if (flags.tag.length > 0) q.tags = flags.tag;
  if (flags.limit !== undefined) q.limit = flags.limit;
  return q;
}

export function formatSearch(r: SearchResult): string {
  // `totalIsLowerBound`: the API counted servers only up to `total` (1000), and more match (ADR 0030).
  const count = `${r.total}${r.totalIsLowerBound ? '+' : ''}`;
  const head = `${count} server${r.total === 1 ? '' : 's'} with ${r.query.capabilities.map(oneLine).join(', ')}`;
  if (r.items.length === 0) return head;
  // A policy may withhold capabilities of a server it still shows (ADR 0036): said only when it did.
  const withheld = r.items.some((i) => i.withheld > 0)
    ? [{ header: 'WITHHELD', value: (i: Item) => i.withheld, align: 'right' as const }]
    : [];
  const table = formatTable<Item>(r.items, [
    { header: 'SERVER', value: (i) => i.server.name, maxWidth: 32 },
    { header: 'ID', value: (i) => i.server.id },
    { header: 'ENVIRONMENT', value: (i) => i.server.environment },
    { header: 'SCORE', value: (i) => i.score.toFixed(2), align: 'right' },
    { header: 'MATCHES', value: (i) => i.matches.map((m) => `${m.kind}:${m.name}`).join(', '), maxWidth: 60 },
    ...withheld,
  ]);
  const note =
    withheld.length === 0 ? '' : '\nWITHHELD: capabilities a policy withholds from you on that server';
  return `${head}\n${table}${note}`;
}

export function searchCommand(program: Command, ctx: CommandContext): void {
  program
    .command('search')
    .description('find servers by capability (tool, resource or prompt)')
    .argument('<terms...>', 'capability terms; servers must match all')
    .option('--fuzzy', 'tolerate typos')
    .addOption(environmentOption('only this environment'))
    .addOption(tagOption('only servers with this tag'))
    .addOption(new Option('--limit <n>', 'at most this many servers (1-100)').argParser(positiveInt))
    .addOption(jsonOption())
    .action(async (terms: string[], flags: SearchFlags, self: Command) => {
      const result = await ctx.client(self).search(searchParams(terms, flags));
      if (flags.json) return ctx.json(result);
      ctx.out(formatSearch(result));
    });
}
