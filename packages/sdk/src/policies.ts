import type {
  CreatePolicyInput,
  DryRunInput,
  DryRunResult,
  EffectivePolicySet,
  ListPoliciesFilter,
  Policy,
  PolicyVersion,
  UpdatePolicyInput,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { everyPage } from './pages.ts';
import type { Page } from './types.ts';

/** `/v1/policies`: the org's Cedar policies, their versions, the effective set and dry runs. */
export interface PoliciesApi {
  list(filter?: ListPoliciesFilter): Promise<Page<Policy>>;
  all(): AsyncGenerator<Policy, void, undefined>;
  get(id: string): Promise<Policy>;
  create(body: CreatePolicyInput): Promise<Policy>;
  update(id: string, patch: UpdatePolicyInput): Promise<Policy>;
  delete(id: string): Promise<void>;
  /** System, role and org policies the org runs, with the set's version. */
  effective(): Promise<EffectivePolicySet>;
  /** Versions of the org policies, newest first. */
  versions(filter?: ListPoliciesFilter): Promise<Page<PolicyVersion>>;
  allVersions(filter?: Omit<ListPoliciesFilter, 'cursor'>): AsyncGenerator<PolicyVersion, void, undefined>;
  /** Writes version `n` back as a new version. */
  restore(n: number): Promise<PolicyVersion>;
  dryRun(body: DryRunInput): Promise<DryRunResult>;
}

export function policiesApi(request: Requester): PoliciesApi {
  const list = (filter: ListPoliciesFilter = {}) =>
    request<Page<Policy>>('GET', '/v1/policies', { query: { ...filter } });
  const versions = (filter: ListPoliciesFilter = {}) =>
    request<Page<PolicyVersion>>('GET', '/v1/policies/versions', { query: { ...filter } });
  return {
    list,
    all: () => everyPage(list, {}),
    get: (id) => request('GET', `/v1/policies/${segment(id)}`),
    create: (body) => request('POST', '/v1/policies', { body }),
    update: (id, patch) => request('PUT', `/v1/policies/${segment(id)}`, { body: patch }),
    delete: (id) => request('DELETE', `/v1/policies/${segment(id)}`),
    effective: () => request('GET', '/v1/policies/effective'),
    versions,
    allVersions: (filter = {}) => everyPage(versions, filter),
    restore: (n) => request('POST', `/v1/policies/versions/${n}/restore`),
    dryRun: (body) => request('POST', '/v1/policies/dry-run', { body }),
  };
}
