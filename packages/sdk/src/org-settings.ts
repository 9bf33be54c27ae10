import type {
  BudgetView,
  EgressCheck,
  EgressPolicyInput,
  EgressPolicyView,
  QuotaView,
  SetBudgetInput,
  SsoConfigInput,
  SsoConfigView,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';

/** `/v1/egress-policy`: the org's outbound rules; `put` replaces them all (omitted fields are cleared). */
export interface EgressApi {
  get(): Promise<EgressPolicyView>;
  put(body: EgressPolicyInput): Promise<EgressPolicyView>;
  /** Would an outbound call to `url` be allowed now, and by which rule (nothing is sent). */
  check(url: string): Promise<EgressCheck>;
}

/** `/v1/quotas`: limits with usage; `set` overrides one, `null` returns it to the default. */
export interface QuotasApi {
  list(): Promise<{ items: QuotaView[] }>;
  set(name: string, limit: number | null): Promise<QuotaView>;
}

/** `/v1/budget`: the monthly API-call budget. */
export interface BudgetApi {
  get(): Promise<BudgetView>;
  set(body: SetBudgetInput): Promise<BudgetView>;
}

/** `/v1/sso`: the org's OpenID provider; the client secret is write-only. */
export interface SsoApi {
  get(): Promise<SsoConfigView>;
  put(body: SsoConfigInput): Promise<SsoConfigView>;
}

export function egressApi(request: Requester): EgressApi {
  return {
    get: () => request('GET', '/v1/egress-policy'),
    put: (body) => request('PUT', '/v1/egress-policy', { body }),
    check: (url) => request('POST', '/v1/egress-policy/check', { body: { url } }),
  };
}

export function quotasApi(request: Requester): QuotasApi {
  return {
    list: () => request('GET', '/v1/quotas'),
    set: (name, limit) => request('PUT', `/v1/quotas/${segment(name)}`, { body: { limit } }),
  };
}

export function budgetApi(request: Requester): BudgetApi {
  return {
    get: () => request('GET', '/v1/budget'),
    set: (body) => request('PUT', '/v1/budget', { body }),
  };
}

export function ssoApi(request: Requester): SsoApi {
  return {
    get: () => request('GET', '/v1/sso'),
    put: (body) => request('PUT', '/v1/sso', { body }),
  };
}
