import type { Server, ServerFilter } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { environmentOption, jsonOption, positiveInt, SERVER_STATUSES, tagOption } from '../options.ts';
import type { Column } from '../output/table.ts';
import { formatTable } from '../output/table.ts';

interface ListFlags {
  environment?: ServerFilter['environment'];
  tag: string[];
  status?: ServerFilter['status'];
  query?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

export const SERVER_COLUMNS: readonly Column<Server>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'NAME', value: (s) => s.name, maxWidth: 32 },
  { header: 'ENVIRONMENT', value: (s) => s.environment },
  { header: 'STATUS', value: (s) => s.status },
  { header: 'VERSION', value: (s) => s.currentVersion, align: 'right' },
  { header: 'TAGS', value: (s) => s.tags?.join(',') ?? null, maxWidth: 30 },
  { header: 'URL', value: (s) => s.url, maxWidth: 60 },
];

export function listFilter(flags: ListFlags): ServerFilter {
  const f: ServerFilter = {};
  if (flags.environment !== undefined) f.environment = flags.environment;
  if (flags.tag.length > 0) f.tags = flags.tag;
  if (flags.status !== undefined) f.status = flags.status;
  if (flags.query !== undefined) f.q = flags.query;
  if (flags.limit !== undefined) f.limit = flags.limit;
  if (flags.cursor !== undefined) f.cursor = flags.cursor;
  return f;
}

export function serversListCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('list')
    .description('list registered servers')
    .addOption(environmentOption('only this environment'))
    .addOption(tagOption('only servers with this tag'))
    .addOption(new Option('--status <status>', 'only servers in this state').choices(SERVER_STATUSES))
    .option('-q, --query <text>', 'text in the name or description')
    .addOption(new Option('--limit <n>', 'servers per page (1-200)').argParser(positiveInt))
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'follow every page')
    .addOption(jsonOption())
    .action(async (flags: ListFlags, self: Command) => {
      const client = ctx.client(self);
      const filter = listFilter(flags);
      let page: { items: Server[]; nextCursor: string | null };
      if (flags.all) {
        const items: Server[] = [];
        for await (const s of client.servers.all(filter)) items.push(s);
        page = { items, nextCursor: null };
      } else {
        page = await client.servers.list(filter);
      }
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no servers' : formatTable(page.items, SERVER_COLUMNS));
      if (page.nextCursor !== null) ctx.err(`more: add --cursor ${page.nextCursor} (or --all)`);
    });
}
