import type {
  ApproveToolsInput,
  CreateVirtualServerInput,
  ListVirtualServersFilter,
  UpdateVirtualServerInput,
  VirtualServer,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { everyPage } from './pages.ts';
import type { Page } from './types.ts';

/** `/v1/virtual-servers`: the MCP endpoints the org publishes at `/mcp/{slug}` (ADR 0041). */
export interface VirtualServersApi {
  list(filter?: ListVirtualServersFilter): Promise<Page<VirtualServer>>;
  all(): AsyncGenerator<VirtualServer, void, undefined>;
  /** With `tools`: what the endpoint shows now. */
  get(id: string): Promise<VirtualServer>;
  create(body: CreateVirtualServerInput): Promise<VirtualServer>;
  update(id: string, patch: UpdateVirtualServerInput): Promise<VirtualServer>;
  delete(id: string): Promise<void>;
  /** Approves a member server's current tool definitions on a pinning virtual server (ADR 0044). */
  approve(id: string, body: ApproveToolsInput): Promise<VirtualServer>;
}

export function virtualServersApi(request: Requester): VirtualServersApi {
  const list = (filter: ListVirtualServersFilter = {}) =>
    request<Page<VirtualServer>>('GET', '/v1/virtual-servers', { query: { ...filter } });
  return {
    list,
    all: () => everyPage(list, {}),
    get: (id) => request('GET', `/v1/virtual-servers/${segment(id)}`),
    create: (body) => request('POST', '/v1/virtual-servers', { body }),
    update: (id, patch) => request('PATCH', `/v1/virtual-servers/${segment(id)}`, { body: patch }),
    delete: (id) => request('DELETE', `/v1/virtual-servers/${segment(id)}`),
    approve: (id, body) => request('POST', `/v1/virtual-servers/${segment(id)}/approvals`, { body }),
  };
}
