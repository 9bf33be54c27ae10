import { type CodeOf, type ErrorCatalogue, type ErrorInfo, GENERIC_ERRORS } from '../kernel/index.ts';
import { API_KEYS_ERRORS } from '../modules/api-keys/index.ts';
import { DISCOVERY_ERRORS } from '../modules/discovery/index.ts';
import { EGRESS_POLICY_ERRORS } from '../modules/egress-policy/index.ts';
import { GATEWAY_ERRORS } from '../modules/gateway/index.ts';
import { IDEMPOTENCY_ERRORS } from '../modules/idempotency/index.ts';
import { IDENTITY_ERRORS } from '../modules/identity/index.ts';
import { JOBS_ERRORS } from '../modules/jobs/index.ts';
import { OAUTH_ERRORS } from '../modules/oauth/index.ts';
import { POLICY_ERRORS } from '../modules/policy/index.ts';
import { QUOTAS_ERRORS } from '../modules/quotas/index.ts';
import { RBAC_ERRORS } from '../modules/rbac/index.ts';
import { REGISTRY_ERRORS } from '../modules/registry/index.ts';
import { SIGN_IN_ERRORS } from '../modules/sign-in/index.ts';
import { TRUST_ERRORS } from '../modules/trust/index.ts';
import { VIRTUAL_SERVERS_ERRORS } from '../modules/virtual-servers/index.ts';
import { HTTP_ERRORS } from './http.errors.ts';

/**
 * Every code the API can answer, by owner (ADR 0034): the kernel's generic codes, the adapter's own, and each
 * module's catalogue as its door exports it. A module that adds a catalogue adds one line here.
 */
const OWNERS = {
  kernel: GENERIC_ERRORS,
  http: HTTP_ERRORS,
  identity: IDENTITY_ERRORS,
  rbac: RBAC_ERRORS,
  quotas: QUOTAS_ERRORS,
  'egress-policy': EGRESS_POLICY_ERRORS,
  idempotency: IDEMPOTENCY_ERRORS,
  'api-keys': API_KEYS_ERRORS,
  'sign-in': SIGN_IN_ERRORS,
  oauth: OAUTH_ERRORS,
  trust: TRUST_ERRORS,
  registry: REGISTRY_ERRORS,
  discovery: DISCOVERY_ERRORS,
  policy: POLICY_ERRORS,
  jobs: JOBS_ERRORS,
  'virtual-servers': VIRTUAL_SERVERS_ERRORS,
  gateway: GATEWAY_ERRORS,
} as const;

type Owners = typeof OWNERS;

/** The closed union of every code: a problem names one of these or the typecheck fails. */
export type ErrorCode = { [O in keyof Owners]: CodeOf<Owners[O]> }[keyof Owners];

/** Joins catalogues; a code declared by two owners is a fault at start, not a silent override. */
export function assembleCatalogues(
  owners: Readonly<Record<string, ErrorCatalogue>>,
): Map<string, ErrorInfo & { owner: string }> {
  const all = new Map<string, ErrorInfo & { owner: string }>();
  for (const [owner, catalogue] of Object.entries(owners)) {
    for (const [code, info] of Object.entries(catalogue)) {
      const first = all.get(code);
      if (first !== undefined)
        throw new Error(`error code ${code} is declared by both ${first.owner} and ${owner}`);
      all.set(code, { ...info, owner });
    }
  }
  return all;
}

const ALL: ReadonlyMap<string, ErrorInfo & { owner: string }> = assembleCatalogues(OWNERS);

/** The assembled catalogue: each code with its status, title and owner. */
export const ERRORS: Readonly<Record<ErrorCode, ErrorInfo & { readonly owner: string }>> = Object.freeze(
  Object.fromEntries(ALL) as Record<ErrorCode, ErrorInfo & { owner: string }>,
);

/** Whether a code raised anywhere (a string to the adapter) is in the catalogue; the architecture test sees to it. */
export const isErrorCode = (code: string): code is ErrorCode => ALL.has(code);

/** The status, title and owner of a code raised anywhere, if the catalogue has it. */
export const errorInfo = (code: string): (ErrorInfo & { readonly owner: string }) | undefined =>
  ALL.get(code);
