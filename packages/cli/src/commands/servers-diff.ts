import type { CapabilityDiff } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, positiveInt, serverEnvironmentOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

const KINDS = [
  ['tools', 'tools'],
  ['resources', 'resources'],
  ['resourceTemplates', 'resource templates'],
  ['prompts', 'prompts'],
] as const;

/** `+ added`, `- removed`, `~ modified (fields)` per kind, like a changelog. */
export function formatDiff(d: CapabilityDiff): string {
  // Changes to capabilities a policy withholds from the caller are not listed, only counted (ADR 0036).
  const withheld = d.withheld > 0 ? ` (${d.withheld} withheld by policy)` : '';
  if (!d.changed) return `no changes from version ${d.from} to version ${d.to}${withheld}`;
  const lines = [`changes from version ${d.from} to version ${d.to}${withheld}:`];
  for (const [key, label] of KINDS) {
    const k = d[key];
    if (k.added.length + k.removed.length + k.modified.length === 0) continue;
    lines.push(label);
    for (const n of k.added) lines.push(`  + ${oneLine(n)}`);
    for (const n of k.removed) lines.push(`  - ${oneLine(n)}`);
    for (const m of k.modified)
      lines.push(`  ~ ${oneLine(m.name)} (${m.changedFields.map(oneLine).join(', ')})`);
  }
  return lines.join('\n');
}

interface DiffFlags extends ServerSelector {
  from: number;
  to: number;
  json?: boolean;
}

export function serversDiffCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('diff')
    .description('what changed between two capability versions')
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption())
    .requiredOption('--from <version>', 'older version number', positiveInt)
    .requiredOption('--to <version>', 'newer version number', positiveInt)
    .addOption(jsonOption())
    .action(async (ref: string, flags: DiffFlags, self: Command) => {
      const client = ctx.client(self);
      const diff = await client.capabilities.diff(
        await serverIdFor(client, ref, flags),
        flags.from,
        flags.to,
      );
      if (flags.json) return ctx.json(diff);
      ctx.out(formatDiff(diff));
    });
}
