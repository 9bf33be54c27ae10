/**
 * platform/egress: the one way outbound HTTP leaves the process. Everything that connects out (MCP client
 * transports, OAuth/OIDC, JWKS, webhooks, mail providers) is handed this module's fetch or dispatcher.
 */

export type { AddressClass } from './address.ts';
export { classifyAddress } from './address.ts';
export type { EgressTimeouts } from './agent.ts';
export type { AllowParseResult, EgressAllowlist } from './allowlist.ts';
export { EMPTY_ALLOWLIST, parseEgressAllow } from './allowlist.ts';
export type { CheckUrlResult, Egress, EgressOptions, ScopedEgress } from './egress.ts';
export { createEgress } from './egress.ts';
export type { EgressErrorCode, EgressFailure, EgressResult, UrlRefusal } from './errors.ts';
export { ALLOW_SETTING, EgressError, findEgressError, PORTS_SETTING, refusalOf } from './errors.ts';
export type { EgressDecision, EgressScope, FetchFunction } from './fetch.ts';
export { MAX_REDIRECTS } from './fetch.ts';
export type { OrgVerdict } from './org-match.ts';
export { judgeOrgAddress, judgeOrgTarget, targetOf } from './org-match.ts';
export type {
  OrgEgressRules,
  OrgEgressRulesInput,
  OrgRuleEntry,
  OrgRuleError,
  OrgRulesParseResult,
} from './org-rules.ts';
export {
  DENY_ALL_ORG_RULES,
  EMPTY_ORG_RULES,
  formatOrgEgressRules,
  hasOrgRules,
  parseOrgEgressRules,
} from './org-rules.ts';
export { checkAddress } from './policy.ts';
export type { EgressPorts, PortsParseResult } from './ports.ts';
export { BAD_PORTS, DEFAULT_EGRESS_PORTS, parseEgressPorts } from './ports.ts';
export type { BlockedRange } from './ranges.ts';
export type { EgressRequestOptions, EgressResponse, RequestFunction } from './request.ts';
export type { EgressLookup } from './resolve.ts';
export type { TargetHost, TargetUrlResult } from './url.ts';
export { parseTargetUrl } from './url.ts';
