import { AppError, type CodeOf, defineErrors, type FieldError } from '../../kernel/index.ts';
import type { UrlRefusal } from '../../platform/egress/index.ts';

/** The refusals of a tenant's URL by the egress pre-flight (`checkUrl`): one code per policy that refused. */
export const EGRESS_POLICY_ERRORS = defineErrors({
  url_not_allowed: { status: 422, title: 'URL not allowed' },
  port_not_allowed: { status: 422, title: 'Port not allowed' },
  egress_denied_by_org_policy: { status: 422, title: 'Refused by the org egress policy' },
});

export type EgressPolicyErrorCode = CodeOf<typeof EGRESS_POLICY_ERRORS>;

export class EgressPolicyError extends AppError<EgressPolicyErrorCode> {}

/** The code for each policy that may refuse a URL (platform/egress refusalOf). */
const REFUSAL_CODE = {
  platform: 'url_not_allowed',
  port: 'port_not_allowed',
  org_policy: 'egress_denied_by_org_policy',
} as const satisfies Record<UrlRefusal, EgressPolicyErrorCode>;

/**
 * 422 for a URL the pre-flight refused, with the refusing rule in the detail: the same code wherever a tenant's
 * URL is checked (server registration, trusted issuers, SSO issuers; issue 8 fixes, M2).
 */
export const urlRefused = (refusedBy: UrlRefusal, detail: string, errors?: readonly FieldError[]) =>
  new EgressPolicyError(REFUSAL_CODE[refusedBy], detail, { errors });
