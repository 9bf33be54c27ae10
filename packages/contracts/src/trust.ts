import { type Static, Type } from '@sinclair/typebox';
import { DateTime, PageQuery, StringEnum, Uuid } from './common.ts';

/**
 * Signed capability manifests (story 8.4, ADR 0015): an org's trust store of public keys, its setting that
 * makes signed manifests mandatory, and the manifest versions of each server with their drift from what
 * discovery finds live.
 */

/** A JWS in compact serialization (RFC 7515 §7.1): three base64url parts separated by dots. */
export const CompactJws = Type.String({
  minLength: 5,
  maxLength: 512 * 1024,
  description:
    'A capability manifest signed as a compact JWS (EdDSA or ES256, with `kid`; issuer in the `iss` claim or header)',
});

export const TrustKeyBody = Type.Object(
  {
    issuer: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '\\S',
      description: 'Who signs with this key; a manifest must name it in `iss`',
    }),
    jwk: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'The public key as a JWK (RFC 7517): `OKP`/`Ed25519` or `EC`/`P-256`. `kid` defaults to the RFC 7638 thumbprint. A private key (`d`) is refused and never stored.',
      },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        issuer: 'platform-team',
        jwk: {
          kty: 'OKP',
          crv: 'Ed25519',
          x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
          kid: 'release-2026',
        },
      },
    ],
  },
);
export type TrustKeyInput = Static<typeof TrustKeyBody>;

export const TrustKeySchema = Type.Object(
  {
    id: Uuid,
    issuer: Type.String(),
    kid: Type.String(),
    alg: StringEnum(['EdDSA', 'ES256']),
    jwk: Type.Record(Type.String(), Type.String(), { description: 'The public key only' }),
    thumbprint: Type.String({ description: 'RFC 7638 JWK thumbprint (SHA-256, base64url)' }),
    createdAt: DateTime,
    createdBy: Type.String(),
  },
  { $id: 'TrustKey', title: 'TrustKey' },
);
export type TrustKey = Static<typeof TrustKeySchema>;

export const TrustKeyListSchema = Type.Object({ items: Type.Array(TrustKeySchema) });

export const TrustSettingsBody = Type.Object(
  {
    requireSignedManifests: Type.Boolean({
      description: 'Refuse to register a server without a manifest signed by a key of the trust store',
    }),
  },
  { additionalProperties: false, examples: [{ requireSignedManifests: true }] },
);
export const TrustSettingsSchema = TrustSettingsBody;
export type TrustSettings = Static<typeof TrustSettingsBody>;

const Name = Type.String({ minLength: 1, maxLength: 2048 });
const Description = Type.Optional(Type.String({ maxLength: 100_000 }));
const open = { additionalProperties: true };
const ManifestTool = Type.Object(
  { name: Name, description: Description, inputSchema: Type.Object({}, open) },
  open,
);
const ManifestResource = Type.Object({ uri: Name, description: Description }, open);
const ManifestResourceTemplate = Type.Object({ uriTemplate: Name, description: Description }, open);
const ManifestPrompt = Type.Object({ name: Name, description: Description }, open);

/**
 * The signed payload: what the server offers, as MCP lists it. Every member an item states is pinned (drift
 * compares it with the live item); members it leaves out are not.
 */
export const ManifestPayloadSchema = Type.Object(
  {
    iss: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    iat: Type.Optional(Type.Integer({ minimum: 0 })),
    version: Type.Optional(Type.String({ maxLength: 100, description: "The publisher's own version label" })),
    server: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        url: Type.String({ minLength: 1, maxLength: 2048 }),
      },
      open,
    ),
    tools: Type.Array(ManifestTool, { maxItems: 5000 }),
    resources: Type.Array(ManifestResource, { maxItems: 5000 }),
    resourceTemplates: Type.Optional(Type.Array(ManifestResourceTemplate, { maxItems: 5000 })),
    prompts: Type.Array(ManifestPrompt, { maxItems: 5000 }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        iss: 'platform-team',
        server: { name: 'weather', url: 'https://mcp.example.com/mcp' },
        tools: [
          {
            name: 'get_forecast',
            description: 'Forecast for a city',
            inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
        resources: [],
        prompts: [],
      },
    ],
  },
);
export type ManifestPayload = Static<typeof ManifestPayloadSchema>;

export const ManifestBody = Type.Object(
  { manifest: CompactJws },
  {
    additionalProperties: false,
    examples: [{ manifest: 'eyJhbGciOiJFZERTQSIsImtpZCI6InJlbGVhc2UtMjAyNiJ9.eyJ9.c2ln' }],
  },
);

export const ManifestStatus = StringEnum(['none', 'verified', 'drifted'], {
  description:
    '`none`: no manifest; `verified`: the current manifest verified and the last discovery matched it (or none ran since); `drifted`: live capabilities differ from it',
});

/** The manifest part of a server's view. */
export const ManifestSummarySchema = Type.Object({
  status: ManifestStatus,
  version: Type.Union([Type.Integer(), Type.Null()]),
  issuer: Type.Union([Type.String(), Type.Null()]),
  kid: Type.Union([Type.String(), Type.Null()]),
  policyHash: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.Union([DateTime, Type.Null()]),
  driftedSince: Type.Union([DateTime, Type.Null()]),
});
export type ManifestSummary = Static<typeof ManifestSummarySchema>;

export const ManifestVersionSchema = Type.Object(
  {
    version: Type.Integer(),
    state: StringEnum(['current', 'superseded', 'rolled_back']),
    source: StringEnum(['registration', 'submission']),
    issuer: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    signature: Type.String({ description: 'The JWS signature (base64url)' }),
    policyHash: Type.String({
      description: 'SHA-256 (hex) of the JCS (RFC 8785) canonical form of the signed payload',
    }),
    counts: Type.Object({
      tools: Type.Integer(),
      resources: Type.Integer(),
      resourceTemplates: Type.Integer(),
      prompts: Type.Integer(),
    }),
    createdAt: DateTime,
    createdBy: Type.String(),
  },
  { $id: 'ManifestVersion', title: 'ManifestVersion' },
);

export const CurrentManifestSchema = Type.Intersect([
  ManifestVersionSchema,
  Type.Object({
    payload: Type.Record(Type.String(), Type.Unknown()),
    jws: Type.String({ description: 'The compact JWS as submitted' }),
    status: ManifestStatus,
  }),
]);

export const ManifestVersionPageSchema = Type.Object({
  items: Type.Array(ManifestVersionSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const ManifestVersionsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

const KindDrift = Type.Object({
  added: Type.Array(Type.String(), { description: 'Offered live, not in the manifest' }),
  removed: Type.Array(Type.String(), { description: 'In the manifest, not offered live' }),
  changed: Type.Array(Type.Object({ name: Type.String(), changedFields: Type.Array(Type.String()) }), {
    description: 'Offered live with a member that differs from what the manifest states',
  }),
});

export const ManifestDriftSchema = Type.Object({
  status: StringEnum(['verified', 'drifted']),
  manifestVersion: Type.Integer(),
  capabilityVersion: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The capability version last compared; null before the first discovery',
  }),
  checkedAt: Type.Union([DateTime, Type.Null()]),
  driftedSince: Type.Union([DateTime, Type.Null()]),
  tools: KindDrift,
  resources: KindDrift,
  resourceTemplates: KindDrift,
  prompts: KindDrift,
});
export type ManifestDrift = Static<typeof ManifestDriftSchema>;
