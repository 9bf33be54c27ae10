import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Environment, Uuid } from './common.ts';

const Item = Type.Record(Type.String(), Type.Unknown());

export const CapabilityVersionSchema = Type.Object(
  {
    id: Uuid,
    serverId: Uuid,
    version: Type.Integer(),
    contentHash: Type.String(),
    protocolVersion: Type.String(),
    discoveredAt: DateTime,
    counts: Type.Object({
      tools: Type.Integer(),
      resources: Type.Integer(),
      resourceTemplates: Type.Integer(),
      prompts: Type.Integer(),
    }),
    serverInfo: Type.Optional(Item),
    serverCapabilities: Type.Optional(Item),
    clientCapabilities: Type.Optional(Item),
    instructions: Type.Optional(Type.String()),
    tools: Type.Optional(Type.Array(Item)),
    resources: Type.Optional(Type.Array(Item)),
    resourceTemplates: Type.Optional(Type.Array(Item)),
    prompts: Type.Optional(Type.Array(Item)),
  },
  { $id: 'CapabilityVersion', title: 'CapabilityVersion' },
);
export type CapabilityVersion = Static<typeof CapabilityVersionSchema>;

const KindDiff = Type.Object({
  added: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  modified: Type.Array(Type.Object({ name: Type.String(), changedFields: Type.Array(Type.String()) })),
});
export const CapabilityDiffSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  changed: Type.Boolean(),
  tools: KindDiff,
  resources: KindDiff,
  resourceTemplates: KindDiff,
  prompts: KindDiff,
});
export const DiffQuery = Type.Object(
  { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const SearchQuery = Type.Object(
  {
    capability: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'comma-separated terms; servers having all' }),
    ),
    fuzzy: Type.Optional(Type.Boolean({ default: false })),
    environment: Type.Optional(Environment),
    tags: Type.Optional(Type.String({ maxLength: 500, description: 'comma-separated; servers having all' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type SearchInput = Static<typeof SearchQuery>;

export const SearchResultSchema = Type.Object({
  query: Type.Object({
    capabilities: Type.Array(Type.String()),
    fuzzy: Type.Boolean(),
    environment: Type.Union([Environment, Type.Null()]),
    tags: Type.Array(Type.String()),
  }),
  total: Type.Integer(),
  items: Type.Array(
    Type.Object({
      server: Type.Object({
        id: Uuid,
        name: Type.String(),
        url: Type.String(),
        environment: Environment,
        tags: Type.Array(Type.String()),
        status: Type.String(),
      }),
      score: Type.Number(),
      matches: Type.Array(
        Type.Object({
          term: Type.String(),
          kind: Type.String(),
          name: Type.String(),
          description: Type.String(),
          score: Type.Number(),
          version: Type.Integer(),
          definition: Item,
        }),
      ),
    }),
  ),
});
export type SearchResult = Static<typeof SearchResultSchema>;
