export type {
  CapabilityVersion,
  CreateServerInput,
  Job,
  MeView,
  Problem,
  SearchResult,
  Server,
  UpdateServerInput,
} from '@sprintconnect/contracts';
export type { CapabilitiesApi } from './capabilities.ts';
export type { ClientOptions, SprintConnectClient } from './client.ts';
export { createClient } from './client.ts';
export type { FieldError } from './errors.ts';
export { JobWaitTimeoutError, SprintConnectConnectionError, SprintConnectError } from './errors.ts';
export type { JobsApi, WaitOptions } from './jobs.ts';
export { isFinal } from './jobs.ts';
export type { MeApi } from './me.ts';
export type { SearchApi } from './search.ts';
export type { ServersApi } from './servers.ts';
export type {
  CapabilityDiff,
  CapabilityVersionPage,
  CreatedServer,
  JobState,
  Page,
  SearchParams,
  ServerFilter,
  ServerPage,
} from './types.ts';
