import type { CapabilityVersionPage } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, positiveInt, serverEnvironmentOption } from '../options.ts';
import { formatTable } from '../output/table.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

interface VersionsFlags extends ServerSelector {
  limit?: number;
  cursor?: string;
  json?: boolean;
}

type Version = CapabilityVersionPage['items'][number];

export function formatVersions(page: CapabilityVersionPage): string {
  if (page.items.length === 0) return 'no capability versions yet (discovery has not succeeded)';
  // Counts are of what the caller may see; what a policy withholds is said only when it did (ADR 0036).
  const withheld = page.items.some((v) => (v.withheld ?? 0) > 0)
    ? [{ header: 'WITHHELD', value: (v: Version) => v.withheld ?? 0, align: 'right' as const }]
    : [];
  return formatTable<Version>(page.items, [
    { header: 'VERSION', value: (v) => v.version, align: 'right' },
    { header: 'DISCOVERED', value: (v) => v.discoveredAt },
    { header: 'TOOLS', value: (v) => v.counts.tools, align: 'right' },
    { header: 'RESOURCES', value: (v) => v.counts.resources, align: 'right' },
    { header: 'TEMPLATES', value: (v) => v.counts.resourceTemplates, align: 'right' },
    { header: 'PROMPTS', value: (v) => v.counts.prompts, align: 'right' },
    ...withheld,
    { header: 'PROTOCOL', value: (v) => v.protocolVersion },
  ]);
}

/** `servers versions`: the capability history, newest first (GET /v1/servers/{id}/capabilities/versions). */
export function serversVersionsCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('versions')
    .description("a server's capability versions, newest first")
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption())
    .addOption(new Option('--limit <n>', 'versions per page (1-200)').argParser(positiveInt))
    .option('--cursor <cursor>', 'continue from a previous page')
    .addOption(jsonOption())
    .action(async (ref: string, flags: VersionsFlags, self: Command) => {
      const client = ctx.client(self);
      const page = await client.capabilities.versions(await serverIdFor(client, ref, flags), {
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
      });
      if (flags.json) return ctx.json(page);
      ctx.out(formatVersions(page));
      if (page.nextCursor !== null) ctx.err(`more: add --cursor ${page.nextCursor}`);
    });
}
