import { type Static, Type } from '@sinclair/typebox';
import { DateTime, PageQuery, StringEnum, Uuid } from './common.ts';

/**
 * Org policies (issue 4, point 2): Cedar text an organization adds to its policy set, the versions of that set,
 * and dry runs. The schema, the system policies and the annotations are described in docs/policies.md.
 */
export const PolicyName = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  description:
    'lower-case identifier, unique in the organization; the policy id in decisions is `org/<name>`',
});
const PolicyText = Type.String({
  minLength: 1,
  maxLength: 65536,
  description:
    'exactly one Cedar policy (`permit` or `forbid`), validated against the schema (docs/policies.md)',
});

export const PolicySchema = Type.Object(
  {
    id: Uuid,
    name: PolicyName,
    policyId: Type.String({ description: 'the id decisions name: `org/<name>`' }),
    description: Type.String(),
    policy: Type.String(),
    enabled: Type.Boolean(),
    createdAt: DateTime,
    updatedAt: DateTime,
    links: Type.Object({ self: Type.String() }),
  },
  { $id: 'Policy', title: 'Policy' },
);
export type Policy = Static<typeof PolicySchema>;

export const PolicyPageSchema = Type.Object({
  items: Type.Array(PolicySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ListPoliciesQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ListPoliciesFilter = Static<typeof ListPoliciesQuery>;

export const CreatePolicyBody = Type.Object(
  {
    name: PolicyName,
    description: Type.Optional(Type.String({ maxLength: 500 })),
    policy: PolicyText,
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'production-for-release-managers',
        description: 'Only release managers may touch production servers',
        policy:
          '@reason("production servers are for release managers")\n' +
          'forbid (principal, action, resource is SprintConnect::Server)\n' +
          'when { resource.environment == "production" }\n' +
          'unless { principal in SprintConnect::Role::"release-manager" };',
      },
    ],
  },
);
export type CreatePolicyInput = Static<typeof CreatePolicyBody>;

export const UpdatePolicyBody = Type.Partial(CreatePolicyBody, {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ enabled: false }],
});
export type UpdatePolicyInput = Static<typeof UpdatePolicyBody>;

export const EffectivePolicySchema = Type.Object({
  id: Type.String({ description: '`system/...`, `role/<role>` or `org/<name>`' }),
  source: StringEnum(['system', 'role', 'org']),
  policy: Type.String(),
});

export const EffectivePolicySetSchema = Type.Object(
  {
    version: Type.String({ description: 'hash of the whole set: the `policySetVersion` of decision logs' }),
    orgVersion: Type.Integer({
      description: 'number of the latest version of the org policies; 0 before any',
    }),
    timeZone: Type.String({ description: 'the zone of `context.time`' }),
    policies: Type.Array(EffectivePolicySchema),
  },
  { $id: 'EffectivePolicySet', title: 'EffectivePolicySet' },
);
export type EffectivePolicySet = Static<typeof EffectivePolicySetSchema>;

export const PolicyVersionSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    hash: Type.String({ description: 'sha-256 of the org policies of this version' }),
    change: StringEnum(['policy.created', 'policy.updated', 'policy.deleted', 'policy.restored']),
    restoredFrom: Type.Union([Type.Integer(), Type.Null()]),
    createdBy: Type.String({ description: '`<kind>:<id>` of who made the change' }),
    createdAt: DateTime,
    policies: Type.Array(
      Type.Object({
        id: Uuid,
        name: PolicyName,
        description: Type.String(),
        policy: Type.String(),
        enabled: Type.Boolean(),
      }),
    ),
  },
  { $id: 'PolicyVersion', title: 'PolicyVersion' },
);
export type PolicyVersion = Static<typeof PolicyVersionSchema>;

export const PolicyVersionPageSchema = Type.Object({
  items: Type.Array(PolicyVersionSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const PolicyVersionParams = Type.Object({ n: Type.Integer({ minimum: 1 }) });

const DryRunResource = Type.Object(
  {
    type: Type.String({
      pattern: '^[a-z_]{1,40}$',
      description: '`org`, `server`, `capability` or any other kind (`role`, `api_key`, `policy`...)',
    }),
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'a capability is named `<server id>/<kind>/<name>`, e.g. `<id>/tool/get_forecast`',
      }),
    ),
    server: Type.Optional(
      Type.Object(
        {
          name: Type.String({ maxLength: 200 }),
          environment: Type.String({ maxLength: 40 }),
          tags: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 }),
        },
        { additionalProperties: false },
      ),
    ),
    capability: Type.Optional(
      Type.Object(
        {
          serverId: Type.String({ maxLength: 200 }),
          kind: Type.String({ maxLength: 40 }),
          name: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Decided exactly as a real request would be: a `server` or `capability` named only by `id` is looked up ' +
      '(404 when the organization has none), attributes given are judged as given (a capability’s server is ' +
      'looked up when only `capability` is given), and what cannot be judged (no id and no attributes, ' +
      'attributes for another type, another kind without its id) is a 422.',
  },
);

export const DryRunBody = Type.Object(
  {
    principal: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('user'), Type.Literal('client'), Type.Literal('api_key')]),
          id: Type.String({ minLength: 1, maxLength: 200 }),
        },
        { additionalProperties: false, description: 'omitted: the caller' },
      ),
    ),
    action: Type.String({ description: 'a permission from docs/permissions.md' }),
    resource: DryRunResource,
    policy: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 65536,
        description:
          'a candidate policy (Cedar text), decided with the current set without saving or loading it',
      }),
    ),
    name: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
        description:
          "the candidate's name (default `candidate`); the name of an existing policy makes the candidate stand in for it",
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        action: 'servers:read',
        resource: { type: 'server', id: '0190f1e2-0000-7000-8000-000000000001' },
        policy:
          'forbid (principal, action, resource is SprintConnect::Server) when { resource.environment == "production" };',
      },
      {
        principal: { kind: 'api_key', id: '0190f1e2-0000-7000-8000-00000000000a' },
        action: 'servers:read',
        resource: { type: 'capability', id: '0190f1e2-0000-7000-8000-000000000001/tool/refund_payment' },
      },
      {
        action: 'servers:read',
        resource: { type: 'server', server: { name: 'billing', environment: 'production', tags: ['pci'] } },
      },
    ],
  },
);
export type DryRunInput = Static<typeof DryRunBody>;

export const DryRunResultSchema = Type.Object(
  {
    allowed: Type.Boolean(),
    decisionId: Type.String(),
    version: Type.String({
      description: 'the version of the set the dry run decided on (with the candidate)',
    }),
    candidate: Type.Boolean({ description: 'whether a candidate policy took part' }),
    determiningPolicies: Type.Array(Type.String(), {
      description: 'the permits that allowed, or the forbids that denied; empty when nothing permitted',
    }),
    reasons: Type.Array(Type.String(), { description: 'the `@reason` texts of the determining policies' }),
    detail: Type.String({ description: 'what a 403 would say' }),
    errors: Type.Array(Type.String(), { description: 'evaluation errors (each makes the decision a deny)' }),
    obligations: Type.Object({
      redact: Type.Array(Type.String()),
      throttle: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { $id: 'DryRunResult', title: 'DryRunResult' },
);
export type DryRunResult = Static<typeof DryRunResultSchema>;
