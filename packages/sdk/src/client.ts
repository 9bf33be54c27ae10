import type { CapabilitiesApi } from './capabilities.ts';
import { capabilitiesApi } from './capabilities.ts';
import type { HttpOptions } from './http.ts';
import { createRequester } from './http.ts';
import type { JobsApi } from './jobs.ts';
import { jobsApi } from './jobs.ts';
import type { MeApi } from './me.ts';
import { meApi } from './me.ts';
import type { SearchApi } from './search.ts';
import { searchApi } from './search.ts';
import type { ServersApi } from './servers.ts';
import { serversApi } from './servers.ts';

export type ClientOptions = HttpOptions;

export interface SprintConnectClient {
  readonly servers: ServersApi;
  readonly capabilities: CapabilitiesApi;
  readonly jobs: JobsApi;
  readonly search: SearchApi;
  readonly me: MeApi;
}

/**
 * A typed client for the SprintConnect REST API. `fetch` defaults to the global one; pass your own to add a
 * proxy, retries or test doubles.
 */
export function createClient(opts: ClientOptions): SprintConnectClient {
  const request = createRequester(opts);
  return {
    servers: serversApi(request),
    capabilities: capabilitiesApi(request),
    jobs: jobsApi(request),
    search: searchApi(request),
    me: meApi(request),
  };
}
