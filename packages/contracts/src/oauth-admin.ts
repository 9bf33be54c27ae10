import { type Static, Type } from '@sinclair/typebox';
import { ApiKeyScopeSchema } from './api-keys.ts';
import { DateTime, Uuid } from './common.ts';

/**
 * Administration of SprintConnect's authorization server for an org: CI clients (client_credentials, story
 * 8.1) and the external identity providers the org trusts to mint access tokens for it (story 8.6).
 */

const RoleName = Type.String({ minLength: 1, maxLength: 100, description: 'A role name of this org' });

export const CreateOAuthClientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    scopes: Type.Array(ApiKeyScopeSchema, {
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      description: 'The scopes the client may ask for; they narrow what its roles allow',
    }),
    roles: Type.Optional(
      Type.Array(RoleName, {
        maxItems: 20,
        uniqueItems: true,
        description:
          'Roles given to the client: what its tokens may do. Each must be within your own permissions.',
      }),
    ),
    dpopBound: Type.Optional(
      Type.Boolean({ description: 'Require DPoP-bound access tokens (RFC 9449 §5.2); default false' }),
    ),
    expiresAt: Type.Optional(
      Type.Union([DateTime, Type.Null()], {
        description:
          'When the client stops getting tokens; null for never. Never later than the expiry of the credential ' +
          'that creates it.',
      }),
    ),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650, description: 'Instead of expiresAt: days from now' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'github-actions', scopes: ['read', 'servers:write'], roles: ['engineer'] }],
  },
);
export type CreateOAuthClientInput = Static<typeof CreateOAuthClientBody>;

export const OAuthClientSchema = Type.Object({
  clientId: Type.String({ description: 'The OAuth client_id' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  expiresAt: Type.Union([DateTime, Type.Null()], {
    description: 'When it stops getting tokens; null: never',
  }),
  createdBy: Type.Union([Type.String(), Type.Null()], {
    description:
      'Who created it (`api_key:<id>`, `user:<id>`, `client:<id>`); null for clients made before this was kept',
  }),
});
export type OAuthClientView = Static<typeof OAuthClientSchema>;

export const CreatedOAuthClientSchema = Type.Object({
  clientId: Type.String(),
  clientSecret: Type.String({
    description: 'Shown in this response only; use it with client_secret_basic at the token endpoint',
  }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  dpopBound: Type.Boolean(),
  expiresAt: Type.Union([DateTime, Type.Null()], {
    description:
      'When it stops getting tokens: the requested expiry, or the creating credential’s if earlier',
  }),
  tokenEndpoint: Type.String({ description: 'Where to do the client_credentials grant' }),
});

export const OAuthClientListSchema = Type.Object({ items: Type.Array(OAuthClientSchema) });

export const OAuthClientParams = Type.Object({
  clientId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }),
});

export const TrustedIssuerBody = Type.Object(
  {
    issuer: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'The exact `iss` of the tokens; https (plain http only for a loopback address)',
    }),
    audience: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: '\\S',
      description: 'The `aud` the tokens must carry',
    }),
    jwksUri: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Where the signing keys are published; fetched through the egress policy',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        issuer: 'https://acme.okta.com/oauth2/default',
        audience: 'api://sprintconnect',
        jwksUri: 'https://acme.okta.com/oauth2/default/v1/keys',
      },
    ],
  },
);
export type TrustedIssuerBodyInput = Static<typeof TrustedIssuerBody>;

export const TrustedIssuerSchema = Type.Object({
  id: Uuid,
  issuer: Type.String(),
  audience: Type.String(),
  jwksUri: Type.String(),
});

export const TrustedIssuerListSchema = Type.Object({ items: Type.Array(TrustedIssuerSchema) });
