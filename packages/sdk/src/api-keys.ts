import type { ApiKeyView, CreateApiKeyInput, ListApiKeysFilter } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { everyPage } from './pages.ts';
import type { CreatedApiKey, Page } from './types.ts';

/** `/v1/api-keys`: list (never secrets), create (the secret is in the reply only), read and revoke keys. */
export interface ApiKeysApi {
  list(filter?: ListApiKeysFilter): Promise<Page<ApiKeyView>>;
  all(filter?: Omit<ListApiKeysFilter, 'cursor'>): AsyncGenerator<ApiKeyView, void, undefined>;
  get(id: string): Promise<ApiKeyView>;
  create(body: CreateApiKeyInput): Promise<CreatedApiKey>;
  revoke(id: string): Promise<void>;
}

export function apiKeysApi(request: Requester): ApiKeysApi {
  const list = (filter: ListApiKeysFilter = {}) =>
    request<Page<ApiKeyView>>('GET', '/v1/api-keys', { query: { ...filter } });
  return {
    list,
    all: (filter = {}) => everyPage(list, filter),
    get: (id) => request('GET', `/v1/api-keys/${segment(id)}`),
    create: (body) => request('POST', '/v1/api-keys', { body }),
    revoke: (id) => request('DELETE', `/v1/api-keys/${segment(id)}`),
  };
}
