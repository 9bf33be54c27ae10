import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Uuid } from './common.ts';

/** An organization's OpenID Provider (story 1.1). The client secret is write-only: never returned. */
const Domain = Type.String({
  pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
  description: 'lower-case DNS domain, e.g. example.com',
});

export const SsoConfigBody = Type.Object(
  {
    issuer: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Issuer URL; its /.well-known/openid-configuration is fetched to find the endpoints',
    }),
    clientId: Type.String({ minLength: 1, maxLength: 255 }),
    clientSecret: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          'Required the first time; omit to keep the stored secret. Encrypted at rest, never returned.',
      }),
    ),
    allowedEmailDomains: Type.Optional(
      Type.Array(Domain, {
        maxItems: 50,
        uniqueItems: true,
        description: 'When set, only users whose email is in one of these domains may sign in',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        issuer: 'https://login.example.com',
        clientId: 'sprintconnect',
        clientSecret: 'client-secret-from-the-idp',
        allowedEmailDomains: ['example.com'],
      },
    ],
  },
);
export type SsoConfigInput = Static<typeof SsoConfigBody>;

export const SsoConfigSchema = Type.Object(
  {
    issuer: Type.String(),
    clientId: Type.String(),
    clientSecretSet: Type.Boolean({ description: 'A secret is stored (it is never returned)' }),
    allowedEmailDomains: Type.Array(Type.String()),
    redirectUri: Type.String({ description: 'Register this redirect URI at the identity provider' }),
    loginUrl: Type.String({ description: 'Where users of this organization start signing in' }),
    endpoints: Type.Object({
      authorization: Type.String(),
      token: Type.String(),
    }),
    updatedAt: DateTime,
  },
  { $id: 'SsoConfig', title: 'SsoConfig' },
);
export type SsoConfigView = Static<typeof SsoConfigSchema>;

const OrgSlug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'organization slug' });

export const OrgSlugParams = Type.Object({ orgSlug: OrgSlug });

export const SsoLoginQuery = Type.Object(
  {
    returnTo: Type.Optional(
      Type.String({ maxLength: 2048, description: 'A path on this site to land on after signing in' }),
    ),
    stepUp: Type.Optional(
      Type.Boolean({ description: 'Ask the provider to re-authenticate (prompt=login, max_age=0)' }),
    ),
  },
  { additionalProperties: false },
);

export const SsoCallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 1024 })),
    iss: Type.Optional(Type.String({ maxLength: 2048 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    error_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    session_state: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: true },
);

export const LocalLoginBody = Type.Object(
  {
    org: OrgSlug,
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    returnTo: Type.Optional(
      Type.String({
        maxLength: 2048,
        description: 'Form posts: a path on this site to land on after signing in',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ org: 'default', email: 'admin@example.com', password: 'correct horse battery staple' }],
  },
);
export type LocalLoginInput = Static<typeof LocalLoginBody>;

export const LoginPageQuery = Type.Object(
  {
    org: Type.Optional(OrgSlug),
    returnTo: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const StepUpBody = Type.Object(
  {
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object(
  {
    user: Type.Object({ id: Uuid, email: Type.String(), name: Type.String() }),
    org: Type.Object({ id: Uuid, slug: Type.String() }),
    method: Type.Union([Type.Literal('sso'), Type.Literal('password')]),
    authTime: DateTime,
    expiresAt: DateTime,
  },
  { $id: 'Session', title: 'Session' },
);
export type SessionView = Static<typeof SessionSchema>;

export const StepUpResponse = Type.Union([
  Type.Object({ steppedUp: Type.Literal(true), authTime: DateTime }),
  Type.Object({
    steppedUp: Type.Literal(false),
    redirectTo: Type.String({ description: 'Re-authenticate at the identity provider, then retry' }),
  }),
]);
