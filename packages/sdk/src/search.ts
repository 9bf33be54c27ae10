import type { SearchResult } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import type { SearchParams } from './types.ts';

/** Servers whose current capabilities match every term (`GET /v1/discovery/servers`). */
export type SearchApi = (query: SearchParams) => Promise<SearchResult>;

export function searchApi(request: Requester): SearchApi {
  return (query) => request('GET', '/v1/discovery/servers', { query: { ...query } });
}
