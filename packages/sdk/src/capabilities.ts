import type { CapabilityVersion } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import type { CapabilityDiff, CapabilityVersionPage } from './types.ts';

export interface CapabilitiesApi {
  /** The server's current capability version, with its tools, resources, templates and prompts. */
  current(serverId: string): Promise<CapabilityVersion>;
  /** Versions, newest first; pass `nextCursor` back as `cursor` for older ones. */
  versions(serverId: string, page?: { limit?: number; cursor?: string }): Promise<CapabilityVersionPage>;
  diff(serverId: string, from: number, to: number): Promise<CapabilityDiff>;
}

export function capabilitiesApi(request: Requester): CapabilitiesApi {
  const base = (id: string) => `/v1/servers/${segment(id)}/capabilities`;
  return {
    current: (id) => request('GET', base(id)),
    versions: (id, page = {}) => request('GET', `${base(id)}/versions`, { query: { ...page } }),
    diff: (id, from, to) => request('GET', `${base(id)}/diff`, { query: { from, to } }),
  };
}
