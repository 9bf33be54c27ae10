import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Environment, StringEnum, Uuid } from './common.ts';

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
    withheld: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'How many capabilities of this version a policy withholds from you: not listed and not in `counts`; ' +
          'the server stays visible (docs/policies.md)',
      }),
    ),
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
  changed: Type.Boolean({ description: 'Whether a change you may see happened' }),
  tools: KindDiff,
  resources: KindDiff,
  resourceTemplates: KindDiff,
  prompts: KindDiff,
  withheld: Type.Integer({
    minimum: 0,
    description:
      'How many changes (capabilities added, removed or modified) a policy withholds from you: not listed, ' +
      'and not counted in `changed` (docs/policies.md)',
  }),
});
export const DiffQuery = Type.Object(
  { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

// 1 to 10 comma-separated items, each with a character other than a space: `weather,calendar` but not
// `weather,` or `,`. Linear to match: each item is anchored by the comma that ends it.
const TERM_LIST = '^\\s*[^,\\s][^,]*(,\\s*[^,\\s][^,]*){0,9}$';
const TAG_LIST = '^\\s*[A-Za-z0-9][A-Za-z0-9._-]*\\s*(,\\s*[A-Za-z0-9][A-Za-z0-9._-]*\\s*)*$';

export const SearchQuery = Type.Object(
  {
    capability: Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: TERM_LIST,
      description:
        'Comma-separated terms (at most 10); a server must have a capability matching each. Without ' +
        '`fuzzy`, a term written as one name of several words (`get_current_weather`, `getCurrentWeather`, ' +
        '`files/read`) matches a capability of exactly that name (ignoring case) and nothing else. Any ' +
        'other term (one word such as `numbers`, or words apart such as `current weather`) matches a name ' +
        'equal to it, then names holding its words whole and in order (`weather` finds ' +
        '`get_current_weather`, not `weatherman`), then capabilities with each of its words whole in the ' +
        'name or description (`numbers` finds `get-sum`, "Returns the sum of two numbers"), ranked in that ' +
        'order. With `fuzzy`, every term is taken as words, and also matches names and descriptions with a ' +
        'word a typo away (`weathr`) or containing it (`weatherman`), ranked below whole words.',
      examples: ['weather', 'get_current_weather', 'weather,calendar'],
    }),
    fuzzy: Type.Optional(Type.Boolean({ default: false })),
    environment: Type.Optional(Environment),
    tags: Type.Optional(
      Type.String({ maxLength: 500, pattern: TAG_LIST, description: 'comma-separated; servers having all' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ maxLength: 2000, description: '`nextCursor` of the previous page of the same search' }),
    ),
  },
  { additionalProperties: false },
);
export type SearchInput = Static<typeof SearchQuery>;

const SearchPerformed = Type.Object(
  {
    capabilities: Type.Array(Type.String()),
    fuzzy: Type.Boolean(),
    environment: Type.Union([Environment, Type.Null()]),
    tags: Type.Array(Type.String()),
    limit: Type.Integer(),
  },
  { description: 'The search performed, after parsing: present whether or not anything matched' },
);

export const SearchResultSchema = Type.Object(
  {
    query: SearchPerformed,
    total: Type.Integer({
      description:
        'Servers matching; `items` holds the best `limit` of them. Exact up to 1000: beyond, 1000 with ' +
        '`totalIsLowerBound`',
    }),
    totalIsLowerBound: Type.Optional(
      Type.Literal(true, {
        description:
          'Present when more servers match than were counted: at least `total` (1000) match. Every page ' +
          'is still reachable through `nextCursor`',
      }),
    ),
    items: Type.Array(
      Type.Object({
        server: Type.Object({
          id: Uuid,
          name: Type.String(),
          url: Type.String(),
          environment: Environment,
          tags: Type.Array(Type.String()),
          description: Type.String(),
          status: StringEnum(['pending_discovery', 'discovering', 'active', 'discovery_failed']),
          links: Type.Object({ self: Type.String(), capabilities: Type.String() }),
        }),
        score: Type.Number({
          minimum: 0,
          maximum: 1,
          description:
            'Mean over the terms of the best match: 1 for an equal name, 0.6-0.95 for whole words of the ' +
            'name in order (more for a larger share of the name), at most 0.55 for words found apart or in ' +
            'the description, or a fuzzy match (name above description). Items are ordered by score, then ' +
            'server name, then id',
        }),
        withheld: Type.Integer({
          minimum: 0,
          description:
            "How many of the server's capabilities a policy withholds from you: they match no term and are " +
            'never listed, while the server stays visible (0 when none; docs/policies.md)',
        }),
        matches: Type.Array(
          Type.Object({
            term: Type.String({ description: 'The first term (in query order) this capability matches' }),
            terms: Type.Array(Type.String(), {
              description: 'Every term this capability matches, in query order: it is listed once',
            }),
            kind: StringEnum(['tool', 'resource', 'resource_template', 'prompt']),
            name: Type.String(),
            description: Type.String(),
            score: Type.Number({ minimum: 0, maximum: 1, description: 'How well it matches `term`' }),
            version: Type.Integer({ description: 'The capability version this entry was indexed from' }),
            definition: Item,
          }),
          {
            description:
              'The matching capabilities, each once: per term the best-scoring ones (at most 10), ordered ' +
              'by term, then score',
          },
        ),
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
    suggestion: Type.Optional(
      Type.Object(
        {
          query: SearchPerformed,
          href: Type.String({ description: 'That search, as a URL of this API' }),
          total: Type.Integer({ minimum: 1, description: 'Servers it finds' }),
          names: Type.Array(Type.String(), {
            description: 'Capability names it matches, best first (at most 5): "did you mean"',
          }),
        },
        {
          description:
            'Only when a search without `fuzzy` finds nothing and the same search with `fuzzy` finds ' +
            'something (among the servers you may see): that search',
        },
      ),
    ),
  },
  { $id: 'SearchResult', title: 'SearchResult' },
);
export type SearchResult = Static<typeof SearchResultSchema>;
