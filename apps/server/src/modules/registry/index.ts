export { policyFilterSql } from './policy-filter.repo.ts';
export type { RedactedServerView } from './redaction.ts';
export { REDACTABLE_SERVER_FIELDS, redactServer } from './redaction.ts';
export type {
  DiscoveryRequester,
  RegistryService,
  ServerConnection,
  ServerQuota,
  UrlCheck,
} from './registry.service.ts';
export { createRegistryService } from './registry.service.ts';
export type { Guarded, ServerFacts, ServerGuard } from './server-guard.ts';
export { createServerGuard } from './server-guard.ts';
export type { ServerView } from './server-view.ts';
export { serverRoutes } from './servers.routes.ts';
