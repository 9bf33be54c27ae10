import type { CapabilityVersion, Server, SprintConnectClient } from '@sprintconnect/sdk';
import { SprintConnectError } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, serverEnvironmentOption } from '../options.ts';
import { formatCounts } from '../output/counts.ts';
import { formatFields } from '../output/fields.ts';
import { formatTable } from '../output/table.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

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
    [
      'Manifest',
      s.manifest.version === null
        ? s.manifest.status
        : `${s.manifest.status} (version ${s.manifest.version}, ${s.manifest.issuer ?? '?'})`,
    ],
    ...(s.redacted === undefined || s.redacted.length === 0
      ? []
      : [['Withheld', `${s.redacted.join(', ')} (by policy)`] as const]),
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

/** The server and its current capabilities, or null when it has none yet (or lost them between the reads). */
export async function showServer(
  client: SprintConnectClient,
  id: string,
): Promise<{ server: Server; capabilities: CapabilityVersion | null }> {
  const server = await client.servers.get(id);
  if (server.currentVersion === null) return { server, capabilities: null };
  try {
    return { server, capabilities: await client.capabilities.current(id) };
  } catch (e) {
    // Deleted or rediscovered between the two reads: the server's own fields still stand.
    if (e instanceof SprintConnectError && e.status === 404) return { server, capabilities: null };
    throw e;
  }
}

export function formatCapabilities(current: CapabilityVersion): string {
  const withheld =
    current.withheld === undefined || current.withheld === 0
      ? ''
      : ` (${current.withheld} withheld by policy)`;
  const lines = [`Capabilities (version ${current.version}): ${formatCounts(current.counts)}${withheld}`];
  const rows = capabilityRows(current);
  if (rows.length > 0) {
    lines.push(
      formatTable(rows, [
        { header: 'KIND', value: (r) => r.kind },
        { header: 'NAME', value: (r) => r.name, maxWidth: 48 },
        { header: 'DESCRIPTION', value: (r) => r.description, maxWidth: 70 },
      ]),
    );
  }
  return lines.join('\n');
}

export function serversShowCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('show')
    .description('show a server and its current capabilities')
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption())
    .addOption(
      jsonOption(
        'print the server as the API returns it, with `capabilities`: its current capabilities (or null)',
      ),
    )
    .action(async (ref: string, flags: ServerSelector & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const { server, capabilities } = await showServer(client, await serverIdFor(client, ref, flags));
      // What the plain output shows, as data: GET /v1/servers/{id} with GET .../capabilities beside it.
      if (flags.json) return ctx.json({ ...server, capabilities });
      ctx.out(describeServer(server));
      if (capabilities === null) return;
      ctx.out('');
      ctx.out(formatCapabilities(capabilities));
    });
}
