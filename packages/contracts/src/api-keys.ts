import { type Static, Type } from '@sinclair/typebox';
import { RoleName } from './access.ts';
import { DateTime, PageQuery, StringEnum, Uuid } from './common.ts';

/**
 * The one list of API-key scopes (docs/scopes.md is checked against it). A scope is a level, `read` < `write` <
 * `admin`, over everything, or narrowed to one resource type (`servers:read`). The resource types are those the
 * access module's permissions name; a test keeps the two lists equal.
 */
export const SCOPE_LEVELS = ['read', 'write', 'admin'] as const;
export const SCOPE_RESOURCES = [
  'servers',
  'tools',
  'jobs',
  'api_keys',
  'users',
  'roles',
  'policies',
  'audit',
  'sso',
  'trust',
  'quotas',
  'egress',
  'virtual_servers',
  'usage',
] as const;
export const API_KEY_SCOPES = [
  ...SCOPE_LEVELS,
  ...SCOPE_RESOURCES.flatMap((r) => SCOPE_LEVELS.map((l) => `${r}:${l}` as const)),
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const ApiKeyScopeSchema = StringEnum(API_KEY_SCOPES, {
  description:
    'A level (`read` < `write` < `admin`), optionally narrowed to a resource type; see docs/scopes.md',
});

/** Requests per minute of one key (ADR 0037); the bounds of SPRINTCONNECT_API_KEY_RATE_LIMIT. */
export const KeyRateLimit = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  description:
    "This key's own requests per minute, counted across every process; absent or null: the deployment's " +
    '(`SPRINTCONNECT_API_KEY_RATE_LIMIT`). Above that needs `api_keys:admin`; a key making a key gives at most its own.',
});

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    scopes: Type.Array(ApiKeyScopeSchema, {
      maxItems: 20,
      uniqueItems: true,
      description: 'What the key may do by scope; give scopes, roles or both (at least one of either)',
    }),
    roles: Type.Optional(
      Type.Array(RoleName, {
        maxItems: 20,
        uniqueItems: true,
        description:
          'Roles the key holds like a user would: their permissions and every policy on them apply to it. Each must be within your own permissions',
      }),
    ),
    rateLimit: Type.Optional(Type.Union([KeyRateLimit, Type.Null()])),
    expiresAt: Type.Optional(
      Type.Union([DateTime, Type.Null()], { description: 'When the key stops working; null for never' }),
    ),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650, description: 'Instead of expiresAt: days from now' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'ci-deploy',
        description: 'GitHub Actions: registers servers on release',
        scopes: ['servers:write'],
        expiresInDays: 90,
      },
      {
        name: 'nightly-audit',
        description: "Runs as an analyst, so the analysts' policies apply; 60 requests a minute",
        scopes: [],
        roles: ['analyst'],
        rateLimit: 60,
      },
    ],
  },
);
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;

/** `PATCH /v1/api-keys/{id}`: what can change on a key; its scopes and roles cannot (make a new key). */
export const UpdateApiKeyBody = Type.Object(
  { rateLimit: Type.Union([KeyRateLimit, Type.Null()]) },
  { additionalProperties: false, examples: [{ rateLimit: 1200 }, { rateLimit: null }] },
);
export type UpdateApiKeyInput = Static<typeof UpdateApiKeyBody>;

export const ApiKeySchema = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Type.String(),
    scopes: Type.Array(Type.String()),
    roles: Type.Array(Type.String(), { description: 'Roles the key holds (their policies apply to it)' }),
    rateLimit: Type.Union([Type.Integer(), Type.Null()], {
      description: "The key's own requests per minute; null: the deployment's",
    }),
    prefix: Type.String({ description: 'Public start of the key, to recognise it; never enough to use it' }),
    state: StringEnum(['active', 'expired', 'revoked']),
    createdBy: Type.String(),
    createdAt: DateTime,
    expiresAt: Type.Union([DateTime, Type.Null()]),
    lastUsedAt: Type.Union([DateTime, Type.Null()], {
      description: 'Updated in batches, about a second after use',
    }),
    revokedAt: Type.Union([DateTime, Type.Null()]),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);
export type ApiKeyView = Static<typeof ApiKeySchema>;

export const CreatedApiKeySchema = Type.Intersect([
  ApiKeySchema,
  Type.Object({
    token: Type.String({ description: 'The secret key. Shown in this response only: store it now.' }),
  }),
]);

export const ListApiKeysQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(['active', 'expired', 'revoked'])),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ListApiKeysFilter = Static<typeof ListApiKeysQuery>;

export const ApiKeyPageSchema = Type.Object({
  items: Type.Array(ApiKeySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** `GET /v1/me`: who the caller is, however it authenticated. */
export const MeSchema = Type.Object(
  {
    kind: StringEnum(['api_key', 'user', 'client']),
    id: Type.String(),
    name: Type.String({
      description: "A user's name, an API key's name, or a CI client's registered name (its id is `id`)",
    }),
    email: Type.Union([Type.String(), Type.Null()]),
    org: Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() }),
    roles: Type.Array(Type.String()),
    scopes: Type.Array(Type.String()),
    permissions: Type.Optional(
      Type.Array(Type.String(), { description: "Users: the union of their roles' permissions" }),
    ),
    authMethod: StringEnum(['api_key', 'session', 'bearer_jwt', 'dpop_jwt']),
    authTime: Type.Union([DateTime, Type.Null()], {
      description: 'When the person last signed in (step-up checks use it); null for API keys',
    }),
  },
  { $id: 'Me', title: 'Me' },
);
export type MeView = Static<typeof MeSchema>;
