import { type Static, Type } from '@sinclair/typebox';
import { DateTime } from './common.ts';

/**
 * An organization's egress rules (story 8.3): what its outbound calls (server discovery, SSO, trusted-issuer
 * keys) may reach. They narrow the platform policy, never widen it: private and cloud-metadata addresses stay
 * refused unless the operator allows them with SPRINTCONNECT_EGRESS_ALLOW, metadata addresses always.
 */
const Entry = Type.String({
  minLength: 1,
  maxLength: 260,
  description: 'a CIDR block or address (`10.1.0.0/16`), a host name (`mcp.example.com`) or `*.example.com`',
});

export const EgressPolicyBody = Type.Object(
  {
    allow: Type.Optional(
      Type.Array(Entry, {
        maxItems: 200,
        description: 'When not empty, only these destinations may be reached. Omitted means empty.',
      }),
    ),
    deny: Type.Optional(
      Type.Array(Entry, { maxItems: 200, description: 'Never reached, even when allowlisted.' }),
    ),
    deniedPorts: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), {
        maxItems: 100,
        description: 'Ports never connected to, on any destination.',
      }),
    ),
    rateLimitPerMinute: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description:
          'Outbound requests per minute for the whole org, shared by every process; null means the platform ' +
          'default, which is also the most an org may set.',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        allow: ['*.example.com', '10.20.0.0/16'],
        deny: ['legacy.example.com', '10.20.99.0/24'],
        deniedPorts: [25],
        rateLimitPerMinute: 120,
      },
    ],
  },
);
export type EgressPolicyInput = Static<typeof EgressPolicyBody>;

export const EgressPolicySchema = Type.Object(
  {
    allow: Type.Array(Type.String()),
    deny: Type.Array(Type.String()),
    deniedPorts: Type.Array(Type.Integer()),
    rateLimitPerMinute: Type.Union([Type.Integer(), Type.Null()]),
    effectiveRateLimitPerMinute: Type.Integer({
      description: 'The limit applied: the org limit or the default',
    }),
    version: Type.Integer({ description: 'Grows by one with every change; 0 while the org has no rules' }),
    updatedAt: Type.Union([DateTime, Type.Null()]),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'EgressPolicy', title: 'EgressPolicy' },
);
export type EgressPolicyView = Static<typeof EgressPolicySchema>;

export const EgressCheckBody = Type.Object(
  { url: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false, examples: [{ url: 'https://mcp.example.com/mcp' }] },
);

export const EgressCheckSchema = Type.Object({
  allowed: Type.Boolean(),
  rule: Type.String({
    description:
      'The rule that decided: `allowlist:<entry>`, `denylist:<entry>`, `allowlist` (not on it), ' +
      '`denied_port:<port>`, `global:<code>` for the platform policy, or `none`',
  }),
  code: Type.Union([Type.String(), Type.Null()], { description: 'The refusal code, null when allowed' }),
  detail: Type.String(),
  addresses: Type.Array(Type.String(), { description: 'The addresses the host resolved to, when allowed' }),
});
export type EgressCheck = Static<typeof EgressCheckSchema>;
