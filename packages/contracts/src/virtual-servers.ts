import { type Static, Type } from '@sinclair/typebox';
import { DateTime, PageQuery, Uuid } from './common.ts';

/**
 * Virtual servers (issue 11 point 2, ADR 0041): MCP endpoints an organization publishes at `/mcp/{slug}`,
 * composed of chosen registered servers and tools, with per-tool overrides and a naming rule for collisions.
 */
export const VirtualServerSlug = Type.String({
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$',
  description:
    'the endpoint path `/mcp/{slug}`: lower-case letters, digits and inner hyphens, unique in the organization; ' +
    'a few words are reserved (`default`, `mcp`, `v1`, `api`, `admin`, `well-known`, ...)',
  examples: ['research-tools'],
});

export const NamingRule = Type.Union(
  [Type.Literal('prefix'), Type.Literal('on-conflict'), Type.Literal('none')],
  {
    description:
      '`prefix`: every tool is `<server name>__<tool>`; `on-conflict`: only a later tool whose name is already ' +
      'taken is prefixed; `none`: names as upstream, a clash is refused (422 `virtual_server_name_clash`)',
  },
);

/** A tool name as an upstream server offers it. */
const UpstreamToolName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f]+$' });
/** A name the endpoint shows: the MCP tool-name alphabet (SEP-986). */
const ExposedToolName = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' });

export const VirtualServerMember = Type.Union([
  Type.Object(
    {
      serverId: Uuid,
      tools: Type.Optional(
        Type.Union([
          Type.Literal('all'),
          Type.Array(UpstreamToolName, { minItems: 1, maxItems: 500, uniqueItems: true }),
        ]),
      ),
    },
    {
      additionalProperties: false,
      description: 'A registered server: all its tools (`tools` absent or `all`) or the listed ones',
    },
  ),
  Type.Object(
    { tag: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,49}$' }) },
    {
      additionalProperties: false,
      description: 'Every tool of every server carrying this tag, now or later',
    },
  ),
]);
export type VirtualServerMemberInput = Static<typeof VirtualServerMember>;

/** How a tool call is classed for audit, metering and policy (`context.invocationClass`; ADR 0048). */
export const InvocationClassSchema = Type.Union(
  [Type.Literal('read'), Type.Literal('write'), Type.Literal('destructive')],
  {
    description:
      'Overrides the class the tool’s annotations give it (readOnlyHint: read, destructiveHint: destructive, else write); destructive calls are audited',
  },
);

export const ToolOverrideSchema = Type.Object(
  {
    serverId: Uuid,
    tool: UpstreamToolName,
    name: Type.Optional(ExposedToolName),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    invocationClass: Type.Optional(InvocationClassSchema),
  },
  {
    additionalProperties: false,
    description:
      'What the endpoint shows for one tool instead of the upstream, and how its calls are classed',
  },
);
export type ToolOverrideInput = Static<typeof ToolOverrideSchema>;

export const CreateVirtualServerBody = Type.Object(
  {
    slug: VirtualServerSlug,
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    naming: Type.Optional(NamingRule),
    enabled: Type.Optional(Type.Boolean()),
    members: Type.Array(VirtualServerMember, { minItems: 1, maxItems: 50 }),
    overrides: Type.Optional(Type.Array(ToolOverrideSchema, { maxItems: 500 })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        slug: 'research-tools',
        name: 'Research tools',
        description: 'Search and fetch for the research agents',
        naming: 'on-conflict',
        members: [
          { serverId: '0190f3a2-7c41-7d2e-9b1a-2f4c5d6e7f80', tools: ['search', 'fetch'] },
          { tag: 'research' },
        ],
        overrides: [
          {
            serverId: '0190f3a2-7c41-7d2e-9b1a-2f4c5d6e7f80',
            tool: 'search',
            name: 'web_search',
            description: 'Searches the public web',
          },
        ],
      },
    ],
  },
);
export type CreateVirtualServerInput = Static<typeof CreateVirtualServerBody>;

export const UpdateVirtualServerBody = Type.Partial(CreateVirtualServerBody, {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ naming: 'prefix', enabled: false }],
});
export type UpdateVirtualServerInput = Static<typeof UpdateVirtualServerBody>;

export const ExposedToolSchema = Type.Object({
  name: Type.String({ description: 'the name the endpoint shows' }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  serverId: Uuid,
  upstreamName: Type.String({ description: 'the name the upstream server knows it by' }),
});

export const VirtualServerSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    naming: NamingRule,
    enabled: Type.Boolean(),
    members: Type.Array(
      Type.Union([
        Type.Object({ serverId: Uuid, tools: Type.Union([Type.Literal('all'), Type.Array(Type.String())]) }),
        Type.Object({ tag: Type.String() }),
      ]),
    ),
    overrides: Type.Array(
      Type.Object({
        serverId: Uuid,
        tool: Type.String(),
        name: Type.Optional(Type.String()),
        title: Type.Optional(Type.String()),
        description: Type.Optional(Type.String()),
        invocationClass: Type.Optional(InvocationClassSchema),
      }),
    ),
    tools: Type.Optional(
      Type.Array(ExposedToolSchema, {
        description: 'what the endpoint shows now, from the members’ current capabilities (one server only)',
      }),
    ),
    createdAt: DateTime,
    updatedAt: DateTime,
    links: Type.Object({ self: Type.String(), mcp: Type.String({ description: 'the MCP endpoint' }) }),
  },
  { $id: 'VirtualServer', title: 'VirtualServer' },
);
export type VirtualServer = Static<typeof VirtualServerSchema>;

export const VirtualServerPageSchema = Type.Object({
  items: Type.Array(VirtualServerSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ListVirtualServersQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ListVirtualServersFilter = Static<typeof ListVirtualServersQuery>;
