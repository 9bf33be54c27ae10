export type { VersionRow as CapabilityVersionRow } from './capability-versions.repo.ts';
/** Discovery's door to the capability versions it finds and the registry keeps (ADR 0035). */
export * as capabilityVersions from './capability-versions.repo.ts';
export { REDACTABLE_SERVER_FIELDS, redactServer } from './redaction.ts';
export { REGISTRY_ERRORS } from './registry.errors.ts';
export type { RegistryModule } from './registry.module.ts';
export { createRegistryModule } from './registry.module.ts';
export type { RegistryTables } from './registry.schema.ts';
export type { RegistryService } from './registry.service.ts';
export type { ServerConnection } from './server-connection.ts';
export type { ServerFacts, ServerGuard } from './server-guard.ts';
export type { ServerRowRefs, ServerScope } from './server-rows.repo.ts';
export { scopeNarrows, serverCard, serverInScope, serversInNameOrder } from './server-rows.repo.ts';
