import type { CapabilityVersion, Server } from '@sprintconnect/sdk';
import { SprintConnectError } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { formatCounts } from '../output/counts.ts';
import { formatFields } from '../output/fields.ts';
import { formatTable } from '../output/table.ts';

interface CapabilityRow {
  kind: string;
  name: string;
  description: string;
}

export function describeServer(s: Server): string {
  const err = s.lastError;
  const lastError =
    err === null
      ? null
      : [err['code'], err['message']].filter((x) => typeof x === 'string').join(': ') || 'yes';
  return formatFields([
    ['ID', s.id],
    ['Name', s.name],
    ['URL', s.url],
    ['Transport', s.transport],
    ['Environment', s.environment],
    ['Status', s.status],
    // null: withheld from this caller by a policy (`redacted`).
    ['Tags', s.tags === null || s.tags.length === 0 ? null : s.tags.join(', ')],
    ['Description', s.description === '' ? null : s.description],
    [
      'Auth',
      s.auth === null
        ? null
        : s.auth.headerName === undefined
          ? s.auth.type
          : `${s.auth.type} (${s.auth.headerName})`,
    ],
    ['Auto-discover', s.autoDiscover ? 'yes' : 'no'],
    ['Version', s.currentVersion],
    ['Discovered', s.lastDiscoveredAt],
    ['Last error', lastError],
    ['Created', s.createdAt],
    ['Updated', s.updatedAt],
  ]);
}

export function capabilityRows(v: CapabilityVersion): CapabilityRow[] {
  const rows: CapabilityRow[] = [];
  const add = (kind: string, items: readonly Record<string, unknown>[] | undefined, key: string) => {
    for (const it of items ?? []) {
      const name = typeof it[key] === 'string' ? it[key] : '?';
      const description = typeof it['description'] === 'string' ? it['description'] : '';
      rows.push({ kind, name, description });
    }
  };
  add('tool', v.tools, 'name');
  add('resource', v.resources, 'uri');
  add('template', v.resourceTemplates, 'uriTemplate');
  add('prompt', v.prompts, 'name');
  return rows;
}

export function serversShowCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('show')
    .description('show a server and its current capabilities')
    .argument('<id>', 'server id')
    .addOption(jsonOption())
    .action(async (id: string, flags: { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const server = await client.servers.get(id);
      if (flags.json) return ctx.json(server);
      ctx.out(describeServer(server));
      if (server.currentVersion === null) return;
      let current: CapabilityVersion;
      try {
        current = await client.capabilities.current(id);
      } catch (e) {
        // Deleted or rediscovered between the two reads: the server's own fields above still stand.
        if (e instanceof SprintConnectError && e.status === 404) return;
        throw e;
      }
      ctx.out('');
      ctx.out(`Capabilities (version ${current.version}): ${formatCounts(current.counts)}`);
      const rows = capabilityRows(current);
      if (rows.length > 0) {
        ctx.out(
          formatTable(rows, [
            { header: 'KIND', value: (r) => r.kind },
            { header: 'NAME', value: (r) => r.name, maxWidth: 48 },
            { header: 'DESCRIPTION', value: (r) => r.description, maxWidth: 70 },
          ]),
        );
      }
    });
}
