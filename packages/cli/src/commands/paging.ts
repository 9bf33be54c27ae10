import type { Page } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { positiveInt } from '../options.ts';

export interface PageFlags {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** `--limit`, `--cursor` and `--all` on a list command. */
export function addPageOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('--limit <n>', `${what} per page (1-200)`).argParser(positiveInt))
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--all', 'follow every page');
}

/**
 * One page as the API returns it, or with `--all` every page joined into one (`nextCursor: null`), so `--json`
 * has the same shape either way.
 */
export async function readPage<T>(
  flags: PageFlags,
  list: (page: { limit?: number; cursor?: string }) => Promise<Page<T>>,
  all: (page: { limit?: number }) => AsyncIterable<T>,
): Promise<Page<T>> {
  const limit = flags.limit === undefined ? {} : { limit: flags.limit };
  if (!flags.all) return list({ ...limit, ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }) });
  const items: T[] = [];
  for await (const x of all(limit)) items.push(x);
  return { items, nextCursor: null };
}

export function notePages(ctx: CommandContext, page: Page<unknown>): void {
  if (page.nextCursor !== null) ctx.err(`more: add --cursor ${page.nextCursor} (or --all)`);
}
