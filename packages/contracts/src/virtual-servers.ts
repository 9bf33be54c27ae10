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

export const Pinning = Type.Union([Type.Literal('off'), Type.Literal('approved'), Type.Literal('manifest')], {
  description:
    'rug-pull protection (ADR 0044): `approved` serves each tool only while its definition (name, title, ' +
    'description, schemas, annotations) hashes to the one an admin approved; a changed or new tool is withheld ' +
    'until approved (`POST /v1/virtual-servers/{id}/approvals`); `manifest` serves each tool only while it ' +
    'matches what its server’s current signed manifest states (approve by admitting a new manifest); `off` ' +
    '(the default) serves current definitions',
});

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
    pinning: Type.Optional(Pinning),
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

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const ToolPinSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('approved'), Type.Literal('changed'), Type.Literal('unapproved')], {
      description:
        '`approved`: served, its definition is the approved one; `changed`: withheld, its definition drifted ' +
        'from the approved one; `unapproved`: withheld, never approved on this virtual server',
    }),
    approvedHash: Type.Union([Sha256Hex, Type.Null()]),
    approvedVersion: Type.Union([Type.Integer(), Type.Null()], {
      description: 'the capability version the approved definition came from',
    }),
    currentHash: Sha256Hex,
    currentVersion: Type.Union([Type.Integer(), Type.Null()]),
  },
  { description: 'pinning only: the tool’s approved and current definition (SHA-256 of its canonical JSON)' },
);

export const ExposedToolSchema = Type.Object({
  name: Type.String({ description: 'the name the endpoint shows' }),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  serverId: Uuid,
  upstreamName: Type.String({ description: 'the name the upstream server knows it by' }),
  pin: Type.Optional(ToolPinSchema),
});

export const VirtualServerSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    naming: NamingRule,
    pinning: Pinning,
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
    withheld: Type.Optional(
      Type.Array(ExposedToolSchema, {
        description:
          'pinning only (one server only): tools withheld because their definition is not the approved one',
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

export const ApproveToolsBody = Type.Object(
  {
    serverId: Uuid,
    version: Type.Integer({
      minimum: 1,
      description: 'the member server’s capability version to approve: must be its current one (else 409)',
    }),
  },
  {
    additionalProperties: false,
    description: 'Approves the definitions of every tool this virtual server shows from one server',
    examples: [{ serverId: '0190f3a2-7c41-7d2e-9b1a-2f4c5d6e7f80', version: 4 }],
  },
);
export type ApproveToolsInput = Static<typeof ApproveToolsBody>;
