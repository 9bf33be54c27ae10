import { readFileSync } from 'node:fs';
import type {
  CreateVirtualServerInput,
  SprintConnectClient,
  UpdateVirtualServerInput,
  VirtualServer,
} from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { UsageError } from '../usage-error.ts';
import { addPageOptions, notePages, type PageFlags, readPage } from './paging.ts';

const COLUMNS = [
  { header: 'ID', value: (v: VirtualServer) => v.id },
  { header: 'SLUG', value: (v: VirtualServer) => v.slug, maxWidth: 40 },
  { header: 'NAME', value: (v: VirtualServer) => v.name, maxWidth: 40 },
  { header: 'NAMING', value: (v: VirtualServer) => v.naming },
  { header: 'ENABLED', value: (v: VirtualServer) => (v.enabled ? 'yes' : 'no') },
  { header: 'MEMBERS', value: (v: VirtualServer) => v.members.length, align: 'right' as const },
];

export function describeVirtualServer(v: VirtualServer): string {
  const head = formatFields([
    ['ID', v.id],
    ['Slug', v.slug],
    ['Endpoint', v.links.mcp],
    ['Name', v.name],
    ['Description', v.description === '' ? null : v.description],
    ['Naming', v.naming],
    ['Pinning', v.pinning],
    ['Enabled', v.enabled ? 'yes' : 'no'],
    ['Updated', v.updatedAt],
  ]);
  const tools = [...(v.tools ?? []), ...(v.withheld ?? [])];
  if (tools.length === 0) return `${head}\n\nno tools shown yet`;
  const pinned = v.pinning !== 'off';
  return `${head}\n\n${formatTable(tools, [
    { header: 'TOOL', value: (t) => t.name, maxWidth: 60 },
    { header: 'SERVER', value: (t) => t.serverId },
    { header: 'UPSTREAM', value: (t) => t.upstreamName, maxWidth: 60 },
    ...(pinned
      ? [
          // Rug-pull protection (ADR 0044): `changed` and `unapproved` tools are withheld until approved.
          { header: 'PIN', value: (t: (typeof tools)[number]) => t.pin?.state ?? '' },
          {
            header: 'APPROVED/CURRENT',
            value: (t: (typeof tools)[number]) =>
              `v${t.pin?.approvedVersion ?? '-'}/v${t.pin?.currentVersion ?? '-'}`,
          },
        ]
      : []),
  ])}`;
}

/** A virtual server named on the command line: its id or its slug. */
async function virtualServerFor(client: SprintConnectClient, ref: string): Promise<VirtualServer> {
  if (isUuid(ref)) return client.virtualServers.get(ref);
  const matches: VirtualServer[] = [];
  for await (const v of client.virtualServers.all()) if (v.slug === ref) matches.push(v);
  const one = await pickOne(ref, matches, {
    what: 'virtual server',
    columns: COLUMNS.slice(0, 2),
    listCommand: 'sprintconnect virtual-servers list',
  });
  return client.virtualServers.get(one.id);
}

interface ShapeFlags {
  file?: string;
  slug?: string;
  name?: string;
  server: string[];
  tag: string[];
  naming?: 'prefix' | 'on-conflict' | 'none';
  pinning?: 'off' | 'approved' | 'manifest';
  json?: boolean;
}

/** The body: a whole JSON document from `--file`, or what the flags say (`--server <id>[:tool,tool]`). */
function shapeBody(flags: ShapeFlags): Record<string, unknown> {
  if (flags.file !== undefined) {
    try {
      return JSON.parse(readFileSync(flags.file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`cannot read ${flags.file}: ${(e as Error).message}`);
    }
  }
  const members = [
    ...flags.server.map((s) => {
      const [serverId = '', tools] = s.split(':');
      return tools === undefined ? { serverId } : { serverId, tools: tools.split(',') };
    }),
    ...flags.tag.map((tag) => ({ tag })),
  ];
  return {
    ...(flags.slug !== undefined && { slug: flags.slug }),
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.naming !== undefined && { naming: flags.naming }),
    ...(flags.pinning !== undefined && { pinning: flags.pinning }),
    ...(members.length > 0 && { members }),
  };
}

function shapeOptions(cmd: Command): Command {
  return cmd
    .option('--file <path>', 'the whole body as JSON (slug, name, naming, members, overrides)')
    .option('--slug <slug>', 'the endpoint path: /mcp/<slug>')
    .option('--name <name>', 'a display name')
    .option(
      '--server <id[:tools]>',
      'a member server: all its tools, or `<id>:tool1,tool2` (repeatable)',
      (v: string, prev: readonly string[] = []) => [...prev, v],
      [],
    )
    .option('--tag <tag>', 'every server carrying this tag (repeatable)', collectList, [])
    .addOption(
      new Option('--naming <rule>', 'how clashing names are told apart').choices([
        'prefix',
        'on-conflict',
        'none',
      ]),
    )
    .addOption(
      new Option(
        '--pinning <mode>',
        'serve tools only at their approved (or signed manifest) definitions (ADR 0044)',
      ).choices(['off', 'approved', 'manifest']),
    )
    .addOption(jsonOption());
}

/** `virtual-servers`: MCP endpoints at /mcp/<slug> made of chosen servers and tools (ADR 0041). */
export function virtualServersCommand(program: Command, ctx: CommandContext): void {
  const vs = program.command('virtual-servers').description('MCP endpoints made of chosen servers and tools');

  addPageOptions(vs.command('list').description('virtual servers, oldest first'), 'virtual servers')
    .addOption(jsonOption())
    .action(async (flags: PageFlags & { json?: boolean }, self: Command) => {
      const client = ctx.client(self);
      const page = await readPage(
        flags,
        (p) => client.virtualServers.list(p),
        () => client.virtualServers.all(),
      );
      if (flags.json) return ctx.json(page);
      ctx.out(page.items.length === 0 ? 'no virtual servers' : formatTable(page.items, COLUMNS));
      notePages(ctx, page);
    });

  vs.command('show')
    .description('one virtual server and the tools its endpoint shows now')
    .argument('<virtual-server>', 'slug or id')
    .addOption(jsonOption())
    .action(async (ref: string, flags: { json?: boolean }, self: Command) => {
      const v = await virtualServerFor(ctx.client(self), ref);
      if (flags.json) return ctx.json(v);
      ctx.out(describeVirtualServer(v));
    });

  shapeOptions(vs.command('create').description('publish a new endpoint')).action(
    async (flags: ShapeFlags, self: Command) => {
      const v = await ctx.client(self).virtualServers.create(shapeBody(flags) as CreateVirtualServerInput);
      if (flags.json) return ctx.json(v);
      ctx.out(describeVirtualServer(v));
    },
  );

  shapeOptions(vs.command('update').description('change an endpoint (members and overrides as whole lists)'))
    .argument('<virtual-server>', 'slug or id')
    .option('--enable', 'serve it')
    .option('--disable', 'stop serving it')
    .action(
      async (ref: string, flags: ShapeFlags & { enable?: boolean; disable?: boolean }, self: Command) => {
        const client = ctx.client(self);
        const body = {
          ...shapeBody(flags),
          ...(flags.enable && { enabled: true }),
          ...(flags.disable && { enabled: false }),
        };
        const id = isUuid(ref) ? ref : (await virtualServerFor(client, ref)).id;
        const v = await client.virtualServers.update(id, body as UpdateVirtualServerInput);
        if (flags.json) return ctx.json(v);
        ctx.out(describeVirtualServer(v));
      },
    );

  vs.command('approve')
    .description('approve a member server’s current tool definitions on a pinning endpoint (ADR 0044)')
    .argument('<virtual-server>', 'slug or id')
    .requiredOption('--server <id>', 'the member server whose tools to approve')
    .requiredOption('--version <n>', 'its capability version you reviewed (must be the current one)')
    .addOption(jsonOption())
    .action(
      async (ref: string, flags: { server: string; version: string; json?: boolean }, self: Command) => {
        const version = Number(flags.version);
        if (!Number.isInteger(version) || version < 1)
          throw new UsageError(`--version must be a positive integer, not ${flags.version}`);
        const client = ctx.client(self);
        const id = isUuid(ref) ? ref : (await virtualServerFor(client, ref)).id;
        const v = await client.virtualServers.approve(id, { serverId: flags.server, version });
        if (flags.json) return ctx.json(v);
        ctx.out(describeVirtualServer(v));
      },
    );

  vs.command('delete')
    .description('remove an endpoint (its servers are not touched)')
    .argument('<virtual-server>', 'slug or id')
    .action(async (ref: string, _flags: unknown, self: Command) => {
      const client = ctx.client(self);
      const v = isUuid(ref) ? { id: ref, slug: ref } : await virtualServerFor(client, ref);
      await client.virtualServers.delete(v.id);
      ctx.out(`deleted virtual server ${oneLine(v.slug)} (${v.id})`);
    });
}
