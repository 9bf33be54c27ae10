export type {
  ApiKeyView,
  ApproveToolsInput,
  BudgetView,
  CapabilityVersion,
  CreateApiKeyInput,
  CreateOAuthClientInput,
  CreatePolicyInput,
  CreateRoleInput,
  CreateServerInput,
  CreateVirtualServerInput,
  DryRunInput,
  DryRunResult,
  EffectivePolicySet,
  EgressCheck,
  EgressPolicyInput,
  EgressPolicyView,
  ForceFlag,
  InvitedUser,
  InviteUserInput,
  Job,
  ManifestDrift,
  MeView,
  OAuthClientView,
  Policy,
  PolicyVersion,
  Problem,
  QuotaView,
  Role,
  SearchResult,
  Server,
  SetBudgetInput,
  SsoConfigInput,
  SsoConfigView,
  TrustKey,
  TrustKeyInput,
  TrustSettings,
  UpdateApiKeyInput,
  UpdatePolicyInput,
  UpdateRoleInput,
  UpdateServerInput,
  UpdateVirtualServerInput,
  UsageRecordView,
  UsageSummaryView,
  User,
  VirtualServer,
} from '@sprintconnect/contracts';
export type { ApiKeysApi } from './api-keys.ts';
export type { CapabilitiesApi } from './capabilities.ts';
export type { ClientOptions, SprintConnectClient } from './client.ts';
export { createClient } from './client.ts';
export type { FieldError } from './errors.ts';
export { JobWaitTimeoutError, SprintConnectConnectionError, SprintConnectError } from './errors.ts';
export type { GatewayOptions } from './gateway.ts';
export { connectGateway, gatewayEndpointUrl } from './gateway.ts';
export type { JobsApi, WaitOptions } from './jobs.ts';
export { isFinal } from './jobs.ts';
export type { OAuthClientsApi, TrustedIssuersApi } from './machine-identities.ts';
export type { MeApi } from './me.ts';
export type { BudgetApi, EgressApi, QuotasApi, SsoApi } from './org-settings.ts';
export type { PoliciesApi } from './policies.ts';
export type { RolesApi, UsersApi } from './roles.ts';
export type { SearchApi } from './search.ts';
export type { ServersApi } from './servers.ts';
export type { ManifestsApi, TrustApi } from './trust.ts';
export type {
  CapabilityDiff,
  CapabilityVersionPage,
  CreatedApiKey,
  CreatedOAuthClient,
  CreatedServer,
  CurrentManifest,
  JobState,
  ManifestVersionPage,
  Page,
  SearchParams,
  ServerFilter,
  ServerPage,
  TrustedIssuer,
  UpdatedServer,
} from './types.ts';
export type { UsageApi } from './usage.ts';
export type { VirtualServersApi } from './virtual-servers.ts';
