import type {
  ApiKeyView,
  CreateApiKeyInput,
  ForceFlag,
  ListApiKeysFilter,
  UpdateApiKeyInput,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { everyPage } from './pages.ts';
import type { CreatedApiKey, Page } from './types.ts';

/**
 * `/v1/api-keys`: list (never secrets), create (the secret is in the reply only), read, change the rate limit
 * of, and revoke keys (`force`: even the org's last credential able to administer it).
 */
export interface ApiKeysApi {
  list(filter?: ListApiKeysFilter): Promise<Page<ApiKeyView>>;
  all(filter?: Omit<ListApiKeysFilter, 'cursor'>): AsyncGenerator<ApiKeyView, void, undefined>;
  get(id: string): Promise<ApiKeyView>;
  create(body: CreateApiKeyInput): Promise<CreatedApiKey>;
  update(id: string, body: UpdateApiKeyInput): Promise<ApiKeyView>;
  revoke(id: string, opts?: ForceFlag): Promise<void>;
}

export function apiKeysApi(request: Requester): ApiKeysApi {
  const list = (filter: ListApiKeysFilter = {}) =>
    request<Page<ApiKeyView>>('GET', '/v1/api-keys', { query: { ...filter } });
  return {
    list,
    all: (filter = {}) => everyPage(list, filter),
    get: (id) => request('GET', `/v1/api-keys/${segment(id)}`),
    create: (body) => request('POST', '/v1/api-keys', { body }),
    update: (id, body) => request('PATCH', `/v1/api-keys/${segment(id)}`, { body }),
    revoke: (id, opts = {}) =>
      request('DELETE', `/v1/api-keys/${segment(id)}`, { query: { force: opts.force || undefined } }),
  };
}
