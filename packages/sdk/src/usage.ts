import type {
  ListUsageFilter,
  UsageRecordView,
  UsageSummaryFilter,
  UsageSummaryView,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { everyPage } from './pages.ts';
import type { Page } from './types.ts';

/** `/v1/usage`: the usage records of calls through the MCP gateway, listed (newest first) and summed. */
export interface UsageApi {
  list(filter?: ListUsageFilter): Promise<Page<UsageRecordView>>;
  all(filter?: Omit<ListUsageFilter, 'cursor'>): AsyncGenerator<UsageRecordView, void, undefined>;
  summary(filter?: UsageSummaryFilter): Promise<UsageSummaryView>;
}

export function usageApi(request: Requester): UsageApi {
  const list = (filter: ListUsageFilter = {}) =>
    request<Page<UsageRecordView>>('GET', '/v1/usage', { query: { ...filter } });
  return {
    list,
    all: (filter = {}) => everyPage(list, filter),
    summary: (filter = {}) => request('GET', '/v1/usage/summary', { query: { ...filter } }),
  };
}
