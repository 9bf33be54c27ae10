import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { DateTime, Environment, PageQuery, StringEnum, Transport, Uuid } from './common.ts';
import { JobSchema } from './jobs.ts';
import { CompactJws, ManifestSummarySchema } from './trust.ts';

const Tag = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,49}$', description: 'lower-case tag' });
const HeaderName = Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" });

export const ServerAuthInput = Type.Union([
  Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('bearer'), token: Type.String({ minLength: 1, maxLength: 8192 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('header'), name: HeaderName, value: Type.String({ minLength: 1, maxLength: 8192 }) },
    { additionalProperties: false },
  ),
]);

export const CreateServerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    transport: Type.Optional(Transport),
    environment: Type.Optional(Environment),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    autoDiscover: Type.Optional(Type.Boolean()),
    auth: Type.Optional(ServerAuthInput),
    manifest: Type.Optional(CompactJws),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'weather',
        url: 'https://mcp.example.com/mcp',
        transport: 'streamable-http',
        environment: 'production',
        tags: ['weather', 'public'],
        description: 'Forecasts and current conditions',
        autoDiscover: true,
        auth: { type: 'bearer', token: 'secret-token' },
      },
    ],
  },
);
export type CreateServerInput = Static<typeof CreateServerBody>;

export const UpdateServerBody = Type.Partial(Type.Omit(CreateServerBody, ['manifest']), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateServerInput = Static<typeof UpdateServerBody>;

/** A field a policy may withhold from a caller (`@obligation_redact`): null then, and named in `redacted`. */
const Redactable = <T extends TSchema>(t: T) =>
  Type.Union([t, Type.Null()], {
    description: 'null when a policy redacts it for this caller (see `redacted`)',
  });

export const ServerSchema = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    url: Redactable(Type.String()),
    transport: Transport,
    environment: Environment,
    tags: Redactable(Type.Array(Type.String())),
    description: Redactable(Type.String()),
    autoDiscover: Type.Boolean(),
    auth: Redactable(
      Type.Object(
        { type: Type.String(), headerName: Type.Optional(Type.String()) },
        {
          description: 'How SprintConnect authenticates to the server; secrets are never returned',
        },
      ),
    ),
    status: StringEnum(['pending_discovery', 'discovering', 'active', 'discovery_failed']),
    lastError: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    currentVersion: Type.Union([Type.Integer(), Type.Null()]),
    lastDiscoveredAt: Type.Union([DateTime, Type.Null()]),
    createdAt: DateTime,
    updatedAt: DateTime,
    manifest: ManifestSummarySchema,
    links: Type.Object({ self: Type.String(), capabilities: Type.String(), discover: Type.String() }),
    redacted: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Fields a policy obligation (`@obligation_redact`) withheld from this caller; each is null (docs/policies.md)',
      }),
    ),
  },
  { $id: 'Server', title: 'Server' },
);
export type Server = Static<typeof ServerSchema>;

export const CreatedServerSchema = Type.Intersect([
  ServerSchema,
  Type.Object({ discoveryJob: Type.Union([JobSchema, Type.Null()]) }),
]);

/**
 * The reply to `PATCH /v1/servers/{id}`: the server, and the discovery its change started (a new URL, transport
 * or credentials with `autoDiscover` on), else null.
 */
export const UpdatedServerSchema = Type.Intersect([
  ServerSchema,
  Type.Object({
    discoveryJob: Type.Union([JobSchema, Type.Null()], {
      description: 'the discovery the change started (connection changed, autoDiscover on), else null',
    }),
  }),
]);

export const ListServersQuery = Type.Object(
  {
    environment: Type.Optional(Environment),
    tags: Type.Optional(Type.String({ description: 'comma-separated; servers having all of them' })),
    status: Type.Optional(StringEnum(['pending_discovery', 'discovering', 'active', 'discovery_failed'])),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'text in name or description' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListServersFilter = Static<typeof ListServersQuery>;

export const ServerPageSchema = Type.Object({
  items: Type.Array(ServerSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const DiscoverBody = Type.Object(
  { force: Type.Optional(Type.Boolean({ description: 'discard the cached version and rediscover' })) },
  { additionalProperties: false },
);
